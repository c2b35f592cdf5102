/// The continuation a loop operation suspends on: checked in debug builds, so a double or
/// missing resume traps with a message; unsafe (no allocation, no check) in release builds.
#if DEBUG
typealias LoopContinuation<T> = CheckedContinuation<T, Never>
#else
typealias LoopContinuation<T> = UnsafeContinuation<T, Never>
#endif

/// Suspends the current task until `body`'s continuation is resumed, without leaving the loop.
///
/// Private entry point (default build): `_unsafeInheritExecutor_withUnsafeContinuation`, which
/// inherits the caller's executor. Reason: the public `withUnsafeContinuation(isolation:)` hops
/// to the isolation it is given before it runs `body` (which arms the in-flight slot and prepares
/// the SQE: loop-confined work). The `PublicConcurrencyOnly` build uses it with `isolation: nil`,
/// which keeps `body` on the loop only because there `onLoop` runs every caller nonisolated with
/// the ring executor as the task's preference, hopping actors off even when they use the ring
/// executor (one more hop per I/O for them). `Benchmarks/before-after --public-api` measures it.
@inline(__always)
func withLoopContinuation<T: Sendable>(_ body: (LoopContinuation<T>) -> Void) async -> T {
    #if PublicConcurrencyOnly
    await withUnsafeContinuation(isolation: nil) { continuation in
        #if DEBUG
        body(CheckedContinuation(continuation: continuation))
        #else
        body(continuation)
        #endif
    }
    #elseif DEBUG
    unsafe await _unsafeInheritExecutor_withUnsafeContinuation { unsafe body(CheckedContinuation(continuation: $0)) }
    #else
    await _unsafeInheritExecutor_withUnsafeContinuation(body)
    #endif
}
