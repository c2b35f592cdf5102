internal import CRingIO

/// Each private runtime call RingIO makes per I/O beside the public API it replaces, so that
/// `Benchmarks/runtime-calls` can time them one by one on the loop. Not API: SPI for that tool.
///
/// In the `PublicConcurrencyOnly` build the "RingIO" variants are the public API too.
@_spi(RuntimeCallCosts)
public enum RuntimeCallCosts {
    /// `withLoopContinuation` (`_unsafeInheritExecutor_withUnsafeContinuation`), resumed at once.
    /// One per I/O.
    public static func loopContinuation() async -> Int {
        await withLoopContinuation { $0.resume(returning: 1) }
    }

    /// What it replaces: `withUnsafeContinuation(isolation: nil)`, resumed at once.
    public static func publicContinuation() async -> Int {
        // Safety: resumed exactly once, at once.
        unsafe await withUnsafeContinuation(isolation: nil) { unsafe $0.resume(returning: 1) }
    }

    /// `withCancellationHook` (`swift_task_addCancellationHandler` / `removeCancellationHandler`)
    /// around an operation that returns at once. One pair per I/O.
    public static func cancellationHook() async -> Int {
        await Hook.shared.installed()
    }

    /// What it replaces: `withTaskCancellationHandler(isolation: nil)` around the same operation.
    public static func publicCancellationHandler() async -> Int {
        await withTaskCancellationHandler(operation: { 1 }, onCancel: {}, isolation: nil)
    }

    /// `currentTaskIsCancelled()` (`swift_task_getCurrent` + `swift_task_isCancelled`). One per I/O.
    public static func isCancelled() -> Bool {
        currentTaskIsCancelled()
    }

    /// What it replaces: `Task.isCancelled`.
    public static func publicIsCancelled() -> Bool {
        Task.isCancelled
    }

    /// One hook's storage, allocated once (the in-flight table keeps one per slot); never written
    /// after init, so concurrent callers may share it.
    @safe  // Safety: owns `storage` (allocated in init, never freed: a process-lifetime singleton); each call installs and removes it before returning.
    private final class Hook: Sendable {
        static let shared = Hook()
        private nonisolated(unsafe) let storage: UnsafeMutablePointer<ringio_cancel_hook>

        private init() {
            // Safety: one hook's storage, initialized here; the hook does nothing when it runs.
            unsafe storage = .allocate(capacity: 1)
            unsafe storage.initialize(to: ringio_cancel_hook(fn: { _, _ in }, core: nil, user_data: 0))
        }

        func installed() async -> Int {
            // Safety: the storage lives for the process, so it outlives the hook.
            unsafe await withCancellationHook(storage) { 1 }
        }
    }
}
