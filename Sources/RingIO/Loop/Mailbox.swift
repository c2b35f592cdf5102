internal import CRingIO
import Glibc
import Synchronization

/// Work other threads hand to the loop, and the loop's wake-up.
///
/// Any thread posts; the loop thread alone takes (`take(into:)`) and sleeps. A post wakes the
/// loop the way it is sleeping: blocked in the ring, by a message from the poster's ring when the
/// poster is another loop of the group (IORING_OP_MSG_RING), else by writing the eventfd whose
/// read the ring keeps pending; otherwise (thread-pool backend, or after shutdown), through a semaphore.
// Safety: the queue is behind its mutex, the flags are atomics, the semaphore is made for use
// from many threads, and the eventfd is written only under the retirement protocol below.
@safe  // Safety: owns `semaphore` (sem_init in init, destroyed in deinit, when no thread can post or wait); Contents is touched only under the mutex.
final class Mailbox: @unchecked Sendable {
    /// What the loop is to do, batched since it last looked.
    @safe  // Safety: shutdown continuations are taken out under the lock and each resumed once by the loop.
    struct Contents {
        /// Jobs enqueued from threads other than the loop's.
        var jobs: [QueuedJob] = []
        /// `user_data` of operations whose tasks were cancelled.
        var cancels: [UInt64] = []
        /// Completion sinks (retained, as address bit patterns) whose pipelines' tasks were cancelled.
        var sinkCancels: [UInt] = []
        /// Ids of slot waiters whose tasks were cancelled.
        var waiterCancels: [UInt64] = []
        /// Callers of `shutdown()` waiting for it to finish.
        var shutdownWaiters: [UnsafeContinuation<Void, Never>] = unsafe []  // Safety: starts empty; each element added is resumed once by the loop.
        var drainWaiters: [UnsafeContinuation<Void, Never>] = unsafe []  // Safety: starts empty; each element added is resumed once by the loop.
        /// Results of requests performed by threads (thread-pool backend, blocking helper): (user_data, res).
        var completions: [(UInt64, Int32)] = []
        /// Registered-file slots of files released off the loop thread without close().
        var fileSlotReleases: [Int32] = []
        /// Set when the executor object is gone: shut down if needed, then end the thread.
        var terminate = false
        /// Give the buffers this loop's lease cache keeps back to the group's pool.
        var flushLeaseCache = false

        /// Empties every list, keeping its storage (so the next swap with the queue allocates nothing).
        mutating func removeAll() {
            jobs.removeAll(keepingCapacity: true)
            cancels.removeAll(keepingCapacity: true)
            sinkCancels.removeAll(keepingCapacity: true)
            waiterCancels.removeAll(keepingCapacity: true)
            // Safety: drops copies only: the loop handed these continuations to lifecycleMachine, which resumes each once.
            unsafe shutdownWaiters.removeAll(keepingCapacity: true)
            unsafe drainWaiters.removeAll(keepingCapacity: true)
            completions.removeAll(keepingCapacity: true)
            fileSlotReleases.removeAll(keepingCapacity: true)
            terminate = false
            flushLeaseCache = false
        }
    }

    /// How the loop sleeps, so a post knows how to wake it.
    private enum Sleep: UInt8 {
        case awake, inRing, onSemaphore
    }

    private let queue = Mutex(Contents())
    private let hasWork = Atomic<Bool>(false)
    private let sleep = Atomic<UInt8>(Sleep.awake.rawValue)
    /// The eventfd the ring reads, or -1; set by the loop before it first sleeps in the ring.
    private let eventFD = Atomic<Int32>(-1)
    /// Posts between deciding to write the eventfd and having written it (see `retireWakeups`).
    private let eventFDWriters = Atomic<Int>(0)
    private let semaphore: UnsafeMutablePointer<sem_t>
    /// The ring other loops of the group wake with IORING_OP_MSG_RING, or -1 (eventfd only).
    private let ringFD = Atomic<Int32>(-1)
    /// The loop's group (0: none) and index in it: posts from the group's other loops may wake it
    /// with a message on their own ring instead of the eventfd.
    let group: UInt64
    let index: Int
    /// The group's mailboxes by index, for a message that failed (then the eventfd wakes the
    /// peer); emptied when the loop thread ends, which breaks the cycle between them.
    private let peers = Mutex<[Mailbox]>([])

    /// Creates a loop's mailbox.
    ///
    /// - Parameters:
    ///   - group: the loop's group (0: not in a group).
    ///   - index: the loop's index in the group.
    init(group: UInt64 = 0, index: Int = -1) {
        self.group = group
        self.index = index
        // Safety: one sem_t owned by the mailbox, initialized (process-private, count 0) before the mailbox is shared.
        unsafe semaphore = .allocate(capacity: 1)
        unsafe sem_init(semaphore, 0, 0)
    }

    deinit {
        // Safety: no thread can be posting or sleeping on the semaphore once the last reference is gone.
        unsafe sem_destroy(semaphore)
        unsafe semaphore.deallocate()
    }

    // MARK: Any thread

    /// Adds to the loop's work and wakes it.
    @inline(__always)
    func post(_ change: (inout Contents) -> Void) {
        queue.withLock { change(&$0) }
        hasWork.store(true, ordering: .sequentiallyConsistent)
        switch Sleep(rawValue: sleep.exchange(Sleep.awake.rawValue, ordering: .sequentiallyConsistent))! {
        case .awake:
            break
        case .inRing:
            eventFDWriters.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if !wakeByMessage() { writeEventFD() }
            eventFDWriters.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        case .onSemaphore:
            // Safety: the semaphore lives as long as the mailbox, which the caller holds.
            unsafe sem_post(semaphore)
        }
    }

    /// From another loop of the group: an IORING_OP_MSG_RING on the poster's ring, which posts
    /// a CQE on this loop's (`Benchmarks/wakeup`: 0.70× an eventfd round trip between two
    /// CPUs, 0.90× on one). False when it cannot be sent (not a loop of the group, no ring,
    /// SQ full): then the eventfd. Call with `eventFDWriters` raised (the ring stays open).
    @inline(__always)
    private func wakeByMessage() -> Bool {
        guard group != 0, ringio_current_loop().group == group else { return false }
        let fd = ringFD.load(ordering: .sequentiallyConsistent)
        guard fd >= 0 else { return false }
        return ringio_send_wake(fd, UserData.message, UserData.messageFailed(toLoop: index)) == 0
    }

    /// Writes the eventfd the ring reads, if it is still in use. Call with `eventFDWriters` raised.
    private func writeEventFD() {
        let fd = eventFD.load(ordering: .sequentiallyConsistent)
        if fd >= 0 {
            var one: UInt64 = 1
            // Safety: writes the 8-byte local; fd stays open while eventFDWriters > 0 (retireWakeups waits for it before the close).
            _ = unsafe Glibc.write(fd, &one, 8)
        }
    }

    /// A message to the group's loop `index` failed (its CQE came back to this loop's ring):
    /// wake that loop through its eventfd instead, so the post is not lost.
    func messageFailed(toLoop index: Int) {
        guard let peer = peers.withLock({ $0.indices.contains(index) ? $0[index] : nil }) else { return }
        peer.eventFDWriters.wrappingAdd(1, ordering: .sequentiallyConsistent)
        peer.writeEventFD()
        peer.eventFDWriters.wrappingSubtract(1, ordering: .sequentiallyConsistent)
    }

    /// Gives the mailbox its group's mailboxes (by index), for `messageFailed`.
    func usePeers(_ mailboxes: [Mailbox]) {
        peers.withLock { $0 = mailboxes }
    }

    /// Drops the group's mailboxes (the loop thread, as it ends).
    func dropPeers() {
        peers.withLock { $0 = [] }
    }

    /// Whether the loop is asleep (in the ring or on the semaphore), so everything it had to
    /// submit has reached the kernel or a worker (any thread; for tests).
    var loopIsAsleep: Bool {
        sleep.load(ordering: .sequentiallyConsistent) != Sleep.awake.rawValue
    }

    // MARK: Loop thread

    /// Whether anything was posted since the last `take(into:)`.
    @inline(__always)
    var isEmpty: Bool { !hasWork.load(ordering: .acquiring) }

    /// Moves everything posted into `contents` (which must be empty), leaving the queue empty.
    func take(into contents: inout Contents) {
        hasWork.store(false, ordering: .sequentiallyConsistent)
        queue.withLock { swap(&$0, &contents) }
    }

    /// Makes `fd` the ring's wake-up: posts write it while the loop sleeps in the ring.
    func useEventFD(_ fd: Int32) {
        eventFD.store(fd, ordering: .sequentiallyConsistent)
    }

    /// Makes `fd`, the loop's ring, the target of other loops' wake-up messages.
    func useRingFD(_ fd: Int32) {
        ringFD.store(fd, ordering: .sequentiallyConsistent)
    }

    /// Stops writing the eventfd and messaging the ring, and waits for posts still doing either,
    /// so the caller may close both.
    ///
    /// Call once the loop will never sleep in the ring again: a post that starts later sees no
    /// descriptor, and one that started earlier is waited for, so no write or message can reach
    /// a descriptor number the process reuses.
    func retireWakeups() {
        eventFD.store(-1, ordering: .sequentiallyConsistent)
        ringFD.store(-1, ordering: .sequentiallyConsistent)
        while eventFDWriters.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
    }

    /// Announces that the loop is about to block in the ring. Returns false when work arrived
    /// meanwhile: then do not block; call `wokeUp()` either way afterwards.
    @inline(__always)
    func willSleepInRing() -> Bool {
        sleep.store(Sleep.inRing.rawValue, ordering: .sequentiallyConsistent)
        return !hasWork.load(ordering: .sequentiallyConsistent)
    }

    /// The loop is awake again (after `willSleepInRing`).
    @inline(__always)
    func wokeUp() {
        sleep.store(Sleep.awake.rawValue, ordering: .relaxed)
    }

    /// Blocks until something is posted (returns at once if something already was). May return
    /// early once for a post the loop had already seen.
    func sleepUntilPosted() {
        sleep.store(Sleep.onSemaphore.rawValue, ordering: .sequentiallyConsistent)
        if !hasWork.load(ordering: .sequentiallyConsistent) {
            // Safety: the semaphore lives as long as the mailbox (self); EINTR is retried.
            while unsafe sem_wait(semaphore) != 0 {}
        }
        sleep.store(Sleep.awake.rawValue, ordering: .relaxed)
    }
}

/// A job and the role it was enqueued in, which decides what the runtime is told it runs on.
struct QueuedJob {
    /// Why the job came to this loop.
    enum Role: UInt8 {
        /// An actor's job (the executor's `SerialExecutor` role): it runs isolated to the loop.
        case isolated
        /// A task that prefers this loop (the `TaskExecutor` role).
        case loopPreference
        /// A task that prefers the loop's group: it runs on the group as its task executor, so the
        /// runtime sees the preference met and does not hop for nonisolated calls.
        case groupPreference
        /// A job of Swift's global executor, when the group is installed as that: it runs with no
        /// isolation and no task executor, as on the runtime's own pool.
        case global
    }

    let job: UnownedJob
    let role: Role
}
