internal import CRingIO

/// Runs `operation` with `hook` installed as the current task's cancellation handler.
///
/// Same contract as `withTaskCancellationHandler`: the hook runs at most once, on the cancelling
/// thread, at once if the task is already cancelled, and never after `operation` returned.
///
/// Private entry points (default build): `swift_task_addCancellationHandler` /
/// `swift_task_removeCancellationHandler` through the C shim, with the hook's preallocated
/// storage as the handler's context. Reason: the public `withTaskCancellationHandler` takes an
/// `isolation` parameter, so the compiler hops to the caller's isolation before the call (a
/// `swift_task_switch` per I/O), and its handler closure is a context to allocate or capture.
/// The `PublicConcurrencyOnly` build uses `withTaskCancellationHandler` with `isolation: nil`,
/// which keeps `operation` on the loop for the reason given at `withLoopContinuation`.
///
/// Measured cost (`Benchmarks/runtime-calls`, on the ring thread, 2026-12-03): 0.30–0.33× the
/// public call's time, 166–223 ns saved per I/O that installs a hook (reads and writes of pipes,
/// sockets and files without a real device; regular files on disks install none).
///
/// - Parameters:
///   - hook: what to call on cancellation; must stay valid until this returns.
///   - operation: the work to run while the hook is installed.
@inline(__always)
func withCancellationHook<T: Sendable>(
    _ hook: UnsafeMutablePointer<ringio_cancel_hook>,
    _ operation: nonisolated(nonsending) () async -> T
) async -> T {
    #if PublicConcurrencyOnly
    // Safety: the handler only carries the hook, which the caller keeps valid until this returns.
    let handler = unsafe CancellationHookHandler(hook: hook)
    return await withTaskCancellationHandler(operation: {
        await operation()
    }, onCancel: {
        handler.run()
    }, isolation: nil)
    #else
    // Safety: the caller keeps hook valid until this returns; the defer removes it (waiting for a running hook) before that.
    let record = unsafe ringio_add_cancel_hook(hook)
    defer { unsafe ringio_remove_cancel_hook(record) }
    return await operation()
    #endif
}

#if PublicConcurrencyOnly
/// A hook handed to `withTaskCancellationHandler`'s `onCancel`, which may run on any thread.
@safe  // Safety: used only inside `withCancellationHook`, whose caller keeps the hook valid until it returns.
private struct CancellationHookHandler: @unchecked Sendable {
    // Safety: the hook's storage outlives the handler (see `withCancellationHook`), and its
    // function is made to be called from any thread.
    let hook: UnsafeMutablePointer<ringio_cancel_hook>

    func run() {
        // Safety: onCancel runs at most once and never after the operation returned, so the hook is still valid.
        unsafe hook.pointee.fn(hook.pointee.core, hook.pointee.user_data)
    }
}
#endif
