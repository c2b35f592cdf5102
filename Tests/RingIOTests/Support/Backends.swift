import CRingIO
import Glibc
@testable import RingIO
import Testing

/// Which backend the tests run on, and executors for it.
extension Support {
    /// Why io_uring tests cannot run here, or nil when they can.
    static let ioUringUnavailableReason: String? = {
        var ring = io_uring()
        let result = io_uring_queue_init(2, &ring, 0)
        if result < 0 {
            return "io_uring unavailable here: io_uring_queue_init returned \(result)"
        }
        io_uring_queue_exit(&ring)
        return nil
    }()

    static var ioUringAvailable: Bool { ignoreSIGPIPE && ioUringUnavailableReason == nil }

    /// Tests write to pipes and /dev/full; a write to a pipe with no reader must fail with EPIPE, not kill the run.
    static let ignoreSIGPIPE: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Which backend this run tests: `RINGIO_TEST_BACKEND=threadpool` (the thread-pool backend) or
    /// `unregistered` (io_uring with the pool left unregistered, as when memlock is too small);
    /// `scripts/test.sh` runs the suite once for each and once plain. Where io_uring is not
    /// available (disabled, blocked, too old), the thread-pool backend: the hosts it is for.
    static let backendUnderTest: String = {
        _ = ignoreSIGPIPE
        if let name = getenv("RINGIO_TEST_BACKEND") { return String(cString: name) }
        return ioUringUnavailableReason == nil ? "iouring" : "threadpool"
    }()

    /// Whether this run tests the thread-pool backend instead of io_uring.
    static let testingThreadPool = backendUnderTest == "threadpool"

    /// For tests of what only io_uring can do (interrupting a blocked read, linked timeouts, …).
    static var testingIOURing: Bool { !testingThreadPool }

    /// A small executor for tests, on the backend under test.
    static func makeExecutor(count: Int = 8, size: Int = 64 << 10, entries: UInt32 = 64, maxInFlight: Int? = nil, flags: SetupFlags = .preferred) throws -> RingExecutor {
        let configuration = executorConfiguration(count: count, size: size, entries: entries, maxInFlight: maxInFlight, flags: flags)
        let executor = try RingExecutor(configuration: configuration)
        precondition(executor.capabilities.backend == (testingThreadPool ? .threadPool : .ioUring), "\(executor.capabilities)")
        precondition(executor.buffers.isRegistered == (backendUnderTest == "iouring"), "\(executor.capabilities)")
        return executor
    }

    /// A small executor's configuration on the backend under test.
    static func executorConfiguration(
        count: Int = 8, size: Int = 64 << 10, entries: UInt32 = 64, maxInFlight: Int? = nil, flags: SetupFlags = .preferred
    ) -> RingExecutorConfiguration {
        var configuration = RingExecutorConfiguration(
            entries: entries, buffers: .init(count: count, size: size), maxInFlight: maxInFlight, setupFlags: flags,
            policy: testingThreadPool ? .threadPoolOnly : .fallback)
        configuration.forceUnregisteredBuffers = backendUnderTest == "unregistered"
        return configuration
    }

    /// Runs `body` with a small executor on the backend under test (as `makeExecutor`) and shuts
    /// it down afterwards, also when `body` throws.
    static func withExecutor<T>(
        count: Int = 8, size: Int = 64 << 10, entries: UInt32 = 64, maxInFlight: Int? = nil, flags: SetupFlags = .preferred,
        _ body: (RingExecutor) async throws -> T
    ) async throws -> T {
        let executor = try makeExecutor(count: count, size: size, entries: entries, maxInFlight: maxInFlight, flags: flags)
        do {
            let result = try await body(executor)
            await executor.shutdown()
            return result
        } catch {
            await executor.shutdown()
            throw error
        }
    }
}

/// Groups of loops on the backend under test.
extension Support {
    /// A group's configuration on the backend under test (as `makeExecutor`).
    static func groupConfiguration(
        loops: Int = 2, count: Int = 8, size: Int = 64 << 10, entries: UInt32 = 64, forceCloneRefusal: Bool = false
    ) -> RingExecutorGroup.Configuration {
        var executor = RingExecutorConfiguration(
            entries: entries, buffers: .init(count: count, size: size),
            policy: testingThreadPool ? .threadPoolOnly : .fallback)
        executor.forceUnregisteredBuffers = backendUnderTest == "unregistered"
        executor.forceCloneRefusal = forceCloneRefusal
        return .init(loops: loops, executor: executor)
    }

    /// Runs `body` with a group on the backend under test and shuts it down afterwards, also
    /// when `body` throws.
    static func withGroup<T>(
        loops: Int = 2, count: Int = 8, size: Int = 64 << 10, forceCloneRefusal: Bool = false,
        _ body: (RingExecutorGroup) async throws -> T
    ) async throws -> T {
        let group = try RingExecutorGroup(configuration: groupConfiguration(
            loops: loops, count: count, size: size, forceCloneRefusal: forceCloneRefusal))
        do {
            let result = try await body(group)
            await group.shutdown()
            return result
        } catch {
            await group.shutdown()
            throw error
        }
    }
}
