internal import CRingIO

/// Runs `operation` with `hook` installed as the current task's cancellation handler.
///
/// Same contract as `withTaskCancellationHandler` (the hook runs at most once, on the cancelling
/// thread, at once if the task is already cancelled), but `operation` runs on the caller's executor:
/// the standard function runs its closure on the generic executor, which would take an actor's job
/// off the ring thread and costs a `swift_task_switch` on every I/O.
///
/// - Parameters:
///   - hook: what to call on cancellation; must stay valid until this returns.
///   - operation: the work to run while the hook is installed.
@inline(__always)
func withCancellationHook<T>(
    _ hook: UnsafeMutablePointer<ringio_cancel_hook>,
    _ operation: nonisolated(nonsending) () async -> T
) async -> T {
    let record = ringio_add_cancel_hook(hook)
    defer { ringio_remove_cancel_hook(record) }
    return await operation()
}
