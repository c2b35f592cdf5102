import Logging

/// Graceful shutdown: refuse new work, let what is in flight finish within a deadline, then shut
/// down (cancelling the rest, lease-safe).
extension RingExecutor {
    /// Shuts down gracefully: from now on new I/O (and `run`) is refused with `.shutDown`; the
    /// operations in flight may finish for up to `timeout`; then `shutdown()` cancels what is
    /// left (each lease comes back only once the kernel is done with its buffer), unregisters
    /// the buffers and closes the ring.
    ///
    /// Cancelling the calling task ends the wait at once (the rest is cancelled).
    ///
    /// - Parameter timeout: how long in-flight operations may take; default the configuration's
    ///   `gracefulShutdownTimeout`.
    /// - Returns: true when everything in flight finished in time, false when some was cancelled.
    @discardableResult
    public func shutdownGracefully(within timeout: Duration? = nil) async -> Bool {
        let timeout = timeout ?? core.configuration.gracefulShutdownTimeout
        let drained = await GracefulShutdown.drain([core], within: timeout) { await self.shutdown() }
        await shutdown()
        if let logger { GracefulShutdown.log(drained, timeout, "executor", logger) }
        return drained
    }
}

extension RingExecutorGroup {
    /// Shuts every loop down gracefully (as `RingExecutor.shutdownGracefully(within:)`): new work
    /// is refused on every loop at once, what is in flight on any loop may finish for up to
    /// `timeout`, then `shutdown()` cancels the rest.
    ///
    /// - Parameter timeout: default the executor configuration's `gracefulShutdownTimeout`.
    /// - Returns: true when everything in flight finished in time.
    @discardableResult
    public func shutdownGracefully(within timeout: Duration? = nil) async -> Bool {
        let timeout = timeout ?? configuration.executor.gracefulShutdownTimeout
        let drained = await GracefulShutdown.drain(loops.map(\.core), within: timeout) { await self.shutdown() }
        await shutdown()
        GracefulShutdown.log(drained, timeout, "group", configuration.executor.logger)
        return drained
    }
}

enum GracefulShutdown {
    /// Asks each loop to drain and waits until all have, or `timeout` passes (or the task is
    /// cancelled), in which case `shutdown` runs, which ends the drains.
    static func drain(_ cores: [LoopCore], within timeout: Duration, shutdown: @escaping @Sendable () async -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                // Every loop starts refusing new work at once; then wait for all of them.
                await withTaskGroup(of: Void.self) { loops in
                    for core in cores {
                        loops.addTask {
                            // Safety: the loop resumes it exactly once (the lifecycle machine hands each drain waiter out once, also when a shutdown ends the drain).
                            unsafe await withUnsafeContinuation { continuation in unsafe core.requestDrain(continuation) }
                        }
                    }
                }
                return true
            }
            tasks.addTask {
                // Ends early, as a timeout, when the caller's task is cancelled.
                try? await Task.sleep(for: timeout)
                return false
            }
            let drained = await tasks.next() ?? false
            // A drain still waiting ends with the shutdown, which cancels what is in flight.
            if !drained { await shutdown() }
            tasks.cancelAll()
            return drained
        }
    }

    static func log(_ drained: Bool, _ timeout: Duration, _ what: String, _ logger: Logger) {
        if drained {
            logger.debug("RingIO \(what): everything in flight finished before the graceful shutdown's timeout (\(timeout))")
        } else {
            logger.notice("RingIO \(what): operations still in flight after the graceful shutdown's timeout (\(timeout)) were cancelled")
        }
    }
}
