public import ServiceLifecycle

/// An executor as a swift-service-lifecycle `Service`: put it in a `ServiceGroup` before the
/// services that use it (a group shuts its services down in reverse order, so those stop first).
extension RingExecutor: Service {
    /// Runs until the service group's graceful shutdown (or until the task is cancelled), then
    /// shuts down gracefully (`shutdownGracefully()`): new work is refused, what is in flight may
    /// finish within the configuration's `gracefulShutdownTimeout`, the rest is cancelled, the
    /// buffers are unregistered and the ring closed.
    ///
    /// - Note: this is the `Service` requirement; `run(_:)` runs a closure on the executor.
    public func run() async throws {
        // Returns on graceful shutdown; throws CancellationError when the task is cancelled.
        try? await gracefulShutdown()
        await shutdownGracefully()
    }
}

/// A group as a `Service`, as `RingExecutor`'s: every loop drains and shuts down together.
extension RingExecutorGroup: Service {
    /// Runs until graceful shutdown (or cancellation), then `shutdownGracefully()`.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdownGracefully()
    }
}
