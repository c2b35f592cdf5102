/// Suspends the current task until `body`'s continuation is resumed, without leaving the
/// caller's executor first.
///
/// Reason for the private entry point: `withUnsafeContinuation(isolation:)` (the public API this
/// replaces) makes the compiler hop to the given isolation before the call, one more
/// `swift_task_switch` per I/O, which for a task with an executor preference takes the task's
/// status-record lock. `_unsafeInheritExecutor_withUnsafeContinuation` inherits the caller's
/// executor instead. See Benchmarks/README.md for the measured cost.
@inline(__always)
func withLoopContinuation<T>(_ body: (UnsafeContinuation<T, Never>) -> Void) async -> T {
    await _unsafeInheritExecutor_withUnsafeContinuation(body)
}
