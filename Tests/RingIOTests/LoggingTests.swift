import Glibc
import Logging
@testable import RingIO
import Synchronization
import Testing

/// What RingIO says through the `Logger` in its configuration: silent by default, a start-up
/// summary at info, every fallback at warning with its reason, shutdown at debug, and nothing per I/O.
@Suite("Logging")
struct LoggingTests {
    @Test func theDefaultLoggerIsSilent() {
        let configuration = RingExecutorConfiguration()
        #expect(configuration.logger.handler is SwiftLogNoOpLogHandler)
        #expect(configuration.logger.label == "RingIO")
    }

    @Test func startUpIsSummarisedAtInfoAndShutdownAtDebug() async throws {
        let log = LogCapture()
        var configuration = Support.executorConfiguration(count: 4, size: 4096)
        configuration.logger = log.logger()
        let executor = try RingExecutor(configuration: configuration)
        let started = try #require(log.records.first { $0.message.hasPrefix("RingIO executor started") }, "\(log.records)")
        #expect(started.level == .info)
        #expect(started.metadata["ringio.backend"] == (Support.testingThreadPool ? "thread pool" : "io_uring"))
        #expect(started.metadata["ringio.buffers"] == "4 × 4096 bytes")
        #expect(started.metadata["ringio.fixed_buffers"] == "\(executor.capabilities.fixedBuffers)")
        await executor.shutdown()
        let stopped = try #require(log.records.first { $0.message.hasPrefix("RingIO executor shut down") }, "\(log.records)")
        #expect(stopped.level == .debug)
    }

    @Test func everyFallbackIsAWarningWithItsReason() async throws {
        let log = LogCapture()
        var configuration = RingExecutorConfiguration(entries: 64, buffers: .init(count: 4, size: 4096))
        configuration.forceUnregisteredBuffers = true  // as when RLIMIT_MEMLOCK holds no buffer
        configuration.logger = log.logger()
        let executor = try RingExecutor(configuration: configuration)
        let warnings = log.records.filter { $0.level == .warning }
        #expect(warnings.count == executor.capabilities.notes.count, "\(log.records)")
        #expect(!warnings.isEmpty)
        #expect(warnings.allSatisfy { $0.message.hasPrefix("RingIO fallback: ") })
        if !Support.testingThreadPool {
            #expect(warnings.contains { $0.message.contains("plain READ/WRITE") }, "\(warnings)")
        }
        await executor.shutdown()
    }

    @Test func askingForTheThreadPoolIsNotAWarning() async throws {
        let log = LogCapture()
        var configuration = RingExecutorConfiguration(entries: 64, buffers: .init(count: 4, size: 4096), policy: .threadPoolOnly)
        configuration.logger = log.logger()
        let executor = try RingExecutor(configuration: configuration)
        #expect(log.records.allSatisfy { $0.level != .warning }, "\(log.records)")
        #expect(log.records.contains { $0.level == .info && $0.metadata["ringio.backend"] == "thread pool" })
        await executor.shutdown()
    }

    @Test func aGroupSummarisesItsLoopsOnceAndEachFallbackOnceNamingItsLoops() async throws {
        let log = LogCapture()
        var configuration = Support.groupConfiguration(loops: 2, count: 4, size: 4096)
        configuration.executor.logger = log.logger()
        configuration.executor.forceCloneRefusal = true
        let group = try RingExecutorGroup(configuration: configuration)
        let started = log.records.filter { $0.message.hasPrefix("RingIO group started") }
        #expect(started.count == 1, "\(log.records)")
        #expect(started.first?.level == .info)
        #expect(started.first?.metadata["ringio.loops"] == "2")
        #expect(!log.records.contains { $0.level == .info && $0.message.hasPrefix("RingIO executor started") }, "a loop is not an executor of its own")
        if Support.backendUnderTest == "iouring" {
            let refusals = log.records.filter { $0.level == .warning && $0.message.contains("IORING_REGISTER_CLONE_BUFFERS") }
            #expect(refusals.map { $0.metadata["ringio.loop"] } == ["0, 1"], "one warning naming both loops, which registered the pool each: \(log.records)")
        }
        await group.shutdown()
        #expect(log.records.contains { $0.level == .debug && $0.message.hasPrefix("RingIO group shut down") })
    }

    @Test func readsAndWritesLogNothing() async throws {
        let log = LogCapture()
        var configuration = Support.executorConfiguration(count: 4, size: 4096)
        configuration.logger = log.logger()
        let executor = try RingExecutor(configuration: configuration)
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let before = log.records.count
        try await executor.run {
            let file = try await File.open(directory + "/data", mode: .readWrite, options: [.create], on: executor)
            var lease = try await executor.buffers.lease()
            lease.count = lease.capacity
            for index in 0..<100 { _ = try await file.write(from: lease, at: Int64(index) * 4096) }
            for index in 0..<100 { _ = try await file.read(into: &lease, at: Int64(index) * 4096) }
            try await file.close()
        }
        #expect(log.records.count == before, "\(log.records[before...])")
        await executor.shutdown()
    }
}

/// Log records kept in memory, from every logger `logger()` made.
final class LogCapture: Sendable {
    struct Record: Sendable, CustomStringConvertible {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
        var description: String { "\(level) \(message) \(metadata)" }
    }

    private let stored = Mutex<[Record]>([])

    var records: [Record] { stored.withLock { $0 } }

    /// A logger at trace level writing into this capture.
    func logger() -> Logger {
        var logger = Logger(label: "RingIO") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var flat: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { flat[key] = "\(value)" }
            let record = Record(level: event.level, message: "\(event.message)", metadata: flat)
            capture.stored.withLock { $0.append(record) }
        }
    }
}
