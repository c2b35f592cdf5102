import CRingIO
import Glibc
@testable import RingIO
import Synchronization
import Testing

/// Canaries for the contract RingIO takes from the Swift runtime's private entry points
/// (`Sources/RingIO/Runtime`): a Swift release that changes it fails here, loudly, instead of
/// hanging or leaking in the I/O paths. They run in the public-API build too, where the same
/// functions sit on `withTaskCancellationHandler` and `Task.isCancelled`.
@Suite("Runtime hooks: the contract RingIO relies on")
struct RuntimeHookCanaryTests {
    /// What a hook saw: how often it ran and on which thread.
    final class Probe: Sendable {
        let calls = Atomic<Int>(0)
        let thread = Atomic<UInt>(0)
    }

    /// A hook's storage, handed to the task that installs it.
    struct Hook: @unchecked Sendable {
        // Safety: written once before the task starts; the runtime reads it on the cancelling thread.
        let pointer: UnsafeMutablePointer<ringio_cancel_hook>
        func deallocate() { pointer.deallocate() }
    }

    /// A hook whose function counts into `probe` (passed as the hook's `core`).
    static func hook(for probe: Probe) -> Hook {
        let hook = UnsafeMutablePointer<ringio_cancel_hook>.allocate(capacity: 1)
        hook.initialize(to: ringio_cancel_hook(
            fn: { core, _ in
                let probe = Unmanaged<Probe>.fromOpaque(core!).takeUnretainedValue()
                probe.thread.store(UInt(pthread_self()), ordering: .relaxed)
                probe.calls.wrappingAdd(1, ordering: .sequentiallyConsistent)
            },
            core: Unmanaged.passUnretained(probe).toOpaque(),
            user_data: 7))
        return Hook(pointer: hook)
    }

    /// A one-shot signal between the test and a task, without sleeping.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        func open() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.open = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    @Test func aHookRunsExactlyOnceOnTheCancellingThread() async {
        let probe = Probe()
        let hook = Self.hook(for: probe)
        defer { hook.deallocate() }
        let installed = Gate()
        let release = Gate()
        let task = Task {
            await withCancellationHook(hook.pointer) {
                installed.open()
                await release.wait()
            }
        }
        await installed.wait()
        #expect(probe.calls.load(ordering: .sequentiallyConsistent) == 0, "not before cancellation")
        task.cancel()
        #expect(probe.calls.load(ordering: .sequentiallyConsistent) == 1, "at once, inside cancel()")
        #expect(probe.thread.load(ordering: .relaxed) == UInt(pthread_self()), "on the cancelling thread")
        task.cancel()
        release.open()
        await task.value
        #expect(probe.calls.load(ordering: .sequentiallyConsistent) == 1, "exactly once")
    }

    @Test func aHookInstalledInAnAlreadyCancelledTaskRunsAtOnce() async {
        let probe = Probe()
        let hook = Self.hook(for: probe)
        defer { hook.deallocate() }
        let start = Gate()
        let task = Task {
            await start.wait()
            return await withCancellationHook(hook.pointer) {
                probe.calls.load(ordering: .sequentiallyConsistent)
            }
        }
        task.cancel()
        start.open()
        #expect(await task.value == 1, "ran when installed, before the operation")
        #expect(probe.calls.load(ordering: .sequentiallyConsistent) == 1)
    }

    @Test func aRemovedHookNeverRuns() async {
        let probe = Probe()
        let hook = Self.hook(for: probe)
        defer { hook.deallocate() }
        let removed = Gate()
        let release = Gate()
        let task = Task {
            await withCancellationHook(hook.pointer) {}
            removed.open()
            await release.wait()
        }
        await removed.wait()
        task.cancel()
        release.open()
        await task.value
        #expect(probe.calls.load(ordering: .sequentiallyConsistent) == 0)
    }

    @Test func theCurrentTaskReportsItsCancellation() async {
        let untouched = await Task { currentTaskIsCancelled() }.value
        #expect(!untouched)
        let start = Gate()
        let task = Task { () -> Bool in
            await start.wait()
            return currentTaskIsCancelled()
        }
        task.cancel()
        start.open()
        #expect(await task.value)
    }

    @Test func aLoopContinuationResumesWithItsValue() async {
        let value: Int = await withLoopContinuation { continuation in continuation.resume(returning: 42) }
        #expect(value == 42)
    }
}
