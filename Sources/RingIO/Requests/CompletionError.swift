import Glibc

/// Maps a failed completion (a negative `res`) to the error its caller sees: written once, for
/// operations awaited one at a time and for pipelines alike.
///
/// Approximate where the kernel's answer has several causes: ECANCELED (or EINTR, which a
/// cancelled blocking open can give) is read as "shut down" while the executor is no longer
/// running, else as the task's cancellation when the task is cancelled, else as the linked
/// timeout when one was set. An operation that failed with ECANCELED for a reason of its own at
/// the moment one of those also happened is reported as that one.
enum CompletionError {
    /// The error for `result`, for callers that report failures as values (pipelines).
    ///
    /// - Parameters:
    ///   - result: the completion's negative `res`.
    ///   - loopRunning: whether the executor was still running when the result was taken.
    static func error(
        for result: Int32, operation: Operation, path: String?, fd: Int32?, loopRunning: Bool
    ) -> RingIOError {
        if isInterrupted(result) && !loopRunning {
            var error = RingIOError.shutDown(operation, path: path, fd: fd)
            error.errno = .canceled
            error.hint = "The RingExecutor was shut down while this operation was in flight; it was cancelled"
            return error
        }
        return RingIOError.fromResult(result, operation: operation, path: path, fd: fd)
    }

    /// What an awaited operation throws for `result`: `CancellationError` when its task was
    /// cancelled, `.timedOut` when its linked timeout fired, else as `error(for:…)`.
    ///
    /// - Parameters:
    ///   - taskCancelled: whether the awaiting task is cancelled.
    ///   - timeout: the timeout linked to the operation, if any.
    static func thrown(
        for result: Int32, operation: Operation, path: String?, fd: Int32?,
        loopRunning: Bool, taskCancelled: @autoclosure () -> Bool, timeout: Duration?
    ) -> any Error {
        if isInterrupted(result) && loopRunning {
            if taskCancelled() { return CancellationError() }
            if let timeout { return RingIOError.timedOut(operation, after: timeout, path: path, fd: fd) }
        }
        return error(for: result, operation: operation, path: path, fd: fd, loopRunning: loopRunning)
    }

    /// ECANCELED, or EINTR (what a cancelled blocking call such as a FIFO's open returns).
    @inline(__always)
    private static func isInterrupted(_ result: Int32) -> Bool {
        result == -ECANCELED || result == -EINTR
    }
}
