/// The continuation a loop operation suspends on: checked in debug builds, so a double or
/// missing resume traps with a message; unsafe (no allocation, no check) in release builds.
///
/// A wrapper of one word, so that both builds resume it the same way: the one unchecked resume is
/// here, not at every site that completes an operation.
@safe  // Safety: each one is stored in exactly one in-flight slot, waiter or sink, which clears it before resuming it: resumed once.
struct LoopContinuation<T>: Sendable {
    #if DEBUG
    private let base: CheckedContinuation<T, Never>
    #else
    private let base: UnsafeContinuation<T, Never>
    #endif

    #if DEBUG
    @inline(__always)
    fileprivate init(_ base: CheckedContinuation<T, Never>) { self.base = base }
    #else
    @inline(__always)
    fileprivate init(_ base: UnsafeContinuation<T, Never>) { unsafe self.base = base }  // Safety: see the type.
    #endif

    /// Resumes the suspended task with `value`. Call exactly once.
    @inline(__always)
    func resume(returning value: sending T) {
        #if DEBUG
        base.resume(returning: value)
        #else
        unsafe base.resume(returning: value)  // Safety: see the type: called once per continuation.
        #endif
    }
}

extension LoopContinuation where T == Void {
    /// Resumes the suspended task. Call exactly once.
    @inline(__always)
    func resume() { resume(returning: ()) }
}

/// Suspends the current task until `body`'s continuation is resumed, without leaving the loop.
///
/// Private entry point (default build): `_unsafeInheritExecutor_withUnsafeContinuation`, which
/// inherits the caller's executor. Reason: the public `withUnsafeContinuation(isolation:)` hops
/// to the isolation it is given before it runs `body` (which arms the in-flight slot and prepares
/// the SQE: loop-confined work). The `PublicConcurrencyOnly` build uses it with `isolation: nil`,
/// which keeps `body` on the loop only because there `onLoop` runs every caller nonisolated with
/// the ring executor as the task's preference, hopping actors off even when they use the ring
/// executor (one more hop per I/O for them). `Benchmarks/before-after --public-api` measures it.
///
/// Measured cost (`Benchmarks/runtime-calls`, on the ring thread, 2026-12-03): 0.63–0.70× the
/// public call's time, 30–38 ns saved per I/O (one per `await`ed I/O).
@inline(__always)
func withLoopContinuation<T: Sendable>(_ body: (LoopContinuation<T>) -> Void) async -> T {
    #if PublicConcurrencyOnly
    // Safety: body hands the continuation to the in-flight table, which resumes it exactly once, on the completion.
    unsafe await withUnsafeContinuation(isolation: nil) { continuation in
        #if DEBUG
        // Safety: the raw continuation goes only into the checked wrapper, so it is resumed only through it (once, checked).
        body(LoopContinuation(unsafe CheckedContinuation(continuation: continuation)))
        #else
        unsafe body(LoopContinuation(continuation))
        #endif
    }
    #elseif DEBUG
    // Safety: the raw continuation goes only into the checked wrapper, so it is resumed only through it (once, checked).
    unsafe await _unsafeInheritExecutor_withUnsafeContinuation { body(LoopContinuation(unsafe CheckedContinuation(continuation: $0))) }
    #else
    // Safety: body hands the continuation to the in-flight table, which resumes it exactly once, on the completion.
    unsafe await _unsafeInheritExecutor_withUnsafeContinuation { unsafe body(LoopContinuation($0)) }
    #endif
}
