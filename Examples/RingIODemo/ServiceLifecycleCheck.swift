// `ringio-demo --check-service-lifecycle`: an executor as a `Service` in a real swift-service-lifecycle
// `ServiceGroup`, stopped by SIGTERM. Prints `ready` once the group runs with a pipe read in flight
// on the executor, then, after the signal, one `key=value` line per fact; the test suite
// (GracefulShutdownTests) sends the SIGTERM and checks them. RingIO's own log lines go to stdout.
import Glibc
import Logging
import RingIO
import ServiceLifecycle
import Synchronization

/// A service that keeps a read of an empty pipe in flight on the executor (like a request handler
/// still running when the server stops) and ends on graceful shutdown without waiting for it.
final class PipeReaderService: Service {
    let executor: RingExecutor
    let file: File
    let outcome = Mutex("pending")  // Sendable: the class holds only lets of Sendable types.

    init(executor: RingExecutor, file: File) {
        self.executor = executor
        self.file = file
    }

    func run() async throws {
        Task(executorPreference: executor) { [self] in
            do {
                var lease = try await executor.buffers.lease()
                _ = try await file.read(into: &lease, at: 0)
                outcome.withLock { $0 = "completed" }
            } catch let error as RingIOError {
                outcome.withLock { $0 = "\(error.code)" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
        }
        // The loop runs jobs in order: the reader's task (lease, then the read's SQE) before this
        // round trip, so once it is back the read is in flight.
        try await executor.run { _ = try await File.status(of: "/", on: executor) }
        // Unbuffered, so the test sees it while this process runs (stdout is a file there).
        _ = "ready\n".withCString { write(1, $0, 6) }
        try? await gracefulShutdown()
    }
}

func checkServiceLifecycle(policy: RingExecutorConfiguration.Policy) async {
    var logger = Logger(label: "ringio-demo", factory: { StreamLogHandler.standardOutput(label: $0) })
    logger.logLevel = .debug
    var configuration = RingExecutorConfiguration(buffers: .init(count: 4, size: 4096), policy: policy)
    configuration.logger = logger
    configuration.gracefulShutdownTimeout = .milliseconds(200)
    let executor: RingExecutor
    do {
        executor = try RingExecutor(configuration: configuration)
    } catch {
        fail("\(error)")
    }
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { fail("pipe failed") }
    let reader = PipeReaderService(
        executor: executor, file: File(unsafeDescriptor: fds[0], path: "pipe", on: executor))
    // The executor first, so that the services using it stop before it (reverse order).
    let group = ServiceGroup(configuration: .init(
        services: [.init(service: executor), .init(service: reader)],
        gracefulShutdownSignals: [.sigterm],
        logger: logger))
    do {
        try await group.run()
        report("serviceGroup", "finished")
    } catch {
        report("serviceGroup", "\(error)")
    }
    // The reader's task ends once the executor cancelled its read; wait for that outcome.
    var waited = 0
    while reader.outcome.withLock({ $0 }) == "pending" && waited < 10_000 {
        usleep(1000)
        waited += 1
    }
    report("inFlightRead", reader.outcome.withLock { $0 })
    report("shutDown", executor.isShutDown)
    report("available", executor.buffers.available)
    do {
        _ = try await File.status(of: "/", on: executor)
        report("newWork", "accepted")
    } catch let error as RingIOError {
        report("newWork", "\(error.code)")
    } catch {
        report("newWork", "\(error)")
    }
    close(fds[1])
}
