internal import CRingIO

/// Whether the current task is cancelled (false outside a task).
///
/// Private entry points (default build): `swift_task_getCurrent` + `swift_task_isCancelled`
/// through the C shim, what `Task.isCancelled` does, without the retain and release of the task
/// that the public API costs on every I/O. The `PublicConcurrencyOnly` build uses
/// `Task.isCancelled`.
///
/// Measured cost (`Benchmarks/runtime-calls`, on the ring thread, 2026-12-03): 0.70–0.86× the
/// public call's time, 2–5 ns saved per I/O (one check per I/O).
@inline(__always)
func currentTaskIsCancelled() -> Bool {
    #if PublicConcurrencyOnly
    Task.isCancelled
    #else
    ringio_current_task_is_cancelled()
    #endif
}
