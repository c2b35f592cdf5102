internal import CRingIO
import Glibc
import Synchronization

/// One executor's loop: its thread runs ready jobs, lets the backend submit and wait, and hands
/// completions to the in-flight table, which resumes the waiting tasks.
///
/// Other threads reach it only through `enqueue` and the `request…` methods, which post to the
/// mailbox; the file layer only through the submission door (`LoopCore+Submission.swift`). Fields
/// marked loop-confined are touched only on the loop thread; the rest are atomics, immutable after
/// startup, or the mailbox. That split is what the `@unchecked Sendable` relies on.
@safe  // Safety: lifecycleMachine's shutdown continuations (each resumed once) and the unowned executors (set before any job) are loop-confined.
final class LoopCore: @unchecked Sendable {
    let configuration: RingExecutorConfiguration
    let mailbox: Mailbox
    let table: OperationTable
    /// The loop thread.
    let thread: pthread_t
    /// What setup found and chose.
    let capabilities: Capabilities
    let pool: BufferPool
    /// How requests reach the kernel; closed at shutdown, never replaced (a `let`, so the per-I/O
    /// paths borrow it without a retain and release).
    let backend: Backend
    private let publishedLifecycle = Atomic<UInt8>(Lifecycle.starting.rawValue)
    /// CQ overflow flushes over the ring's life, published at shutdown (tests read it).
    let overflowFlushCount = Atomic<Int>(0)
    var serialExecutor: UnownedSerialExecutor?
    var taskExecutor: UnownedTaskExecutor?
    /// Set when the loop's group is installed as the global executor (never cleared): global
    /// jobs enqueued on this thread stay here (see `GlobalEnqueueHook.offer`).
    let takesGlobalJobs = Atomic<Bool>(false)
    /// Ready jobs and operations in flight at the end of the loop's last turn (any thread; for a
    /// group's placement of new work).
    let publishedLoad = Atomic<Int>(0)
    /// Jobs other loops of the group placed here since the loop last took its mailbox (approximate).
    let placedJobs = Atomic<Int>(0)
    /// The group's task-executor reference, for jobs of tasks that prefer the group (nil outside a group).
    var groupTaskExecutor: UnownedTaskExecutor?

    // MARK: Loop-confined

    // Safety: holds the continuations of shutdown() callers; the machine hands each one out exactly once (finishShutdown or resume).
    private var lifecycleMachine = unsafe LifecycleStateMachine<UnsafeContinuation<Void, Never>>()
    private var localJobs = JobQueue()
    /// What the last `mailbox.take` moved out, emptied after use and kept for its storage.
    private var posted = Mailbox.Contents()

    /// Whether this loop closes the pool at shutdown (false for a group's loops: the group does).
    private let ownsPool: Bool
    /// A loop of a `RingExecutorGroup`: a task on this thread may prefer the group rather than
    /// this loop, so it can come back from a suspension on another loop (see `RingExecutor.onLoop`).
    let isInGroup: Bool
    /// What this loop counts for swift-metrics, when the configuration turns metrics on (loop thread only).
    let statistics: LoopStatistics?

    private init(configuration: RingExecutorConfiguration, mailbox: Mailbox, setup: LoopSetup, inGroup: Bool) {
        self.ownsPool = !inGroup
        self.isInGroup = inGroup
        self.configuration = configuration
        self.mailbox = mailbox
        self.table = OperationTable(capacity: configuration.inFlightLimit)
        self.thread = pthread_self()
        self.capabilities = setup.capabilities
        self.pool = setup.pool
        self.backend = setup.backend
        self.statistics = configuration.metrics.map {
            LoopStatistics($0, backend: setup.capabilities.backend, loop: inGroup ? mailbox.index : nil, now: ringio_monotonic_nanoseconds())
        }
        // Safety: only advances the state, on the loop thread, before the core is shared; no continuation is touched.
        unsafe lifecycleMachine.setupSucceeded()
        publishLifecycle()
    }

    /// Where the executor is in its life (any thread).
    var lifecycle: Lifecycle {
        Lifecycle(rawValue: publishedLifecycle.load(ordering: .acquiring))!
    }

    /// True on the loop thread.
    @inline(__always)
    var isLoopThread: Bool { pthread_equal(pthread_self(), thread) != 0 }

    // MARK: Thread

    /// Starts a loop thread, which sets up the backend and pool; returns its loop once it runs.
    ///
    /// - Parameters:
    ///   - shared: for a group's later loops, the group's pool; nil for a pool of its own.
    ///   - membership: for a group's loops, the group and this loop's index in it (what
    ///     `ringio_current_loop` answers on this thread).
    ///   - cpu: pins the thread to this CPU first, if set; a refusal becomes a note.
    ///   - notes: what the caller already has to say (the group's pool was made smaller).
    /// - Throws: the setup's `RingIOError` (the thread has ended then).
    static func start(
        configuration: RingExecutorConfiguration, shared: LoopSetup.SharedPool? = nil,
        membership: (group: UInt64, index: Int)? = nil, cpu: Int32? = nil, notes: [String] = []
    ) throws(RingIOError) -> LoopCore {
        let outcome = StartupOutcome()
        try LoopThread.start(name: membership.map { "ringio-loop-\($0.index)" } ?? "ringio-loop") { startup in
            var notes = notes
            if let cpu {
                let refused = ringio_pin_current_thread(cpu)
                if refused != 0 { notes.append("Could not pin the loop thread to CPU \(cpu) (\(Errno(rawValue: refused))), so it runs where the scheduler puts it") }
            }
            if let membership { ringio_set_current_loop(membership.group, Int64(membership.index)) }
            let mailbox = Mailbox(group: membership?.group ?? 0, index: membership?.index ?? -1)
            let core: LoopCore
            do throws(RingIOError) {
                let setup = try LoopSetup(configuration: configuration, mailbox: mailbox, shared: shared, notes: notes)
                core = LoopCore(configuration: configuration, mailbox: mailbox, setup: setup, inGroup: membership != nil)
            } catch {
                outcome.result = .failure(error)
                startup.signal()
                return
            }
            outcome.result = .success(core)
            // Safety: unretained: this thread keeps `core` alive until run() returns, and clears the thread-local before that reference goes.
            unsafe ringio_set_current_loop_core(Unmanaged.passUnretained(core).toOpaque())
            startup.signal()
            core.run()
            ringio_set_current_loop_core(nil)
            mailbox.dropPeers()
        }
        return try outcome.result!.get()
    }

    /// What the loop thread hands back to `start`.
    private final class StartupOutcome: @unchecked Sendable {
        // Safety: written by the loop thread before it posts the startup semaphore, read by the
        // starting thread after its wait on it returns.
        var result: Result<LoopCore, RingIOError>?
    }

    private func publishLifecycle() {
        // Safety: reads only the machine's state, on the loop thread that owns it.
        unsafe publishedLifecycle.store(lifecycleMachine.state.rawValue, ordering: .releasing)
    }

    /// Ready jobs and operations in flight now (loop thread).
    @inline(__always)
    var currentLoad: Int { localJobs.count + table.armedCount }

    // MARK: Any thread

    /// Queues a job; called by the Swift runtime from any thread.
    @inline(__always)
    func enqueue(_ job: QueuedJob) {
        if isLoopThread {
            localJobs.append(job)
        } else {
            mailbox.post { $0.jobs.append(job) }
        }
    }

    /// Asks the loop to shut down; `continuation` is resumed when it has.
    func requestShutdown(_ continuation: UnsafeContinuation<Void, Never>) {
        // Safety: the continuation moves under the mailbox lock to the loop, which resumes it exactly once through lifecycleMachine.
        mailbox.post { unsafe $0.shutdownWaiters.append(continuation) }
    }

    /// Asks the loop to refuse new I/O and let what is in flight finish; `continuation` is
    /// resumed once nothing is (or once a shutdown has ended it all).
    func requestDrain(_ continuation: UnsafeContinuation<Void, Never>) {
        // Safety: the continuation moves under the mailbox lock to the loop, which resumes it exactly once through lifecycleMachine.
        mailbox.post { unsafe $0.drainWaiters.append(continuation) }
    }

    /// Tells the loop the executor is gone: shut down if needed and end the thread.
    func requestTermination() {
        mailbox.post { $0.terminate = true }
    }

    // MARK: The loop

    private func run() {
        while true {
            if !mailbox.isEmpty { takePosted() }
            runJobs()
            // Safety: lifecycleMachine is loop-confined (this is the loop thread); the action it returns is performed once.
            if unsafe (lifecycleMachine.state == .shuttingDown || lifecycleMachine.state == .draining) && table.armedCount == 0 {
                unsafe perform(lifecycleMachine.nothingInFlight())
            }
            // Safety: reads only the loop-confined machine's flags.
            if unsafe localJobs.isEmpty && lifecycleMachine.threadMayEnd { return }
            if let statistics { publishStatisticsIfDue(statistics) }
            publishedLoad.store(localJobs.count + table.armedCount, ordering: .relaxed)
            backend.submitAndWait(hasReadyJobs: !localJobs.isEmpty, table: table, mailbox: mailbox)
        }
    }

    /// Hands the loop's counts to swift-metrics once per interval (checked once per loop turn).
    private func publishStatisticsIfDue(_ statistics: LoopStatistics) {
        let now = ringio_monotonic_nanoseconds()
        guard statistics.isDue(now) else { return }
        var ring = LoopStatistics.RingCounts()
        if case .ioUring(let uring) = backend {
            ring = .init(overflows: uring.overflowFlushes, enterCalls: uring.enterCalls, submitted: uring.submittedEntries)
        }
        statistics.publish(now: now, inFlight: table.armedCount, pool: pool, ring: ring)
    }

    private func runJobs() {
        // Run what is ready now; jobs made ready meanwhile wait for the next turn, so I/O keeps flowing.
        var budget = localJobs.count
        while budget > 0, let job = localJobs.popFirst() {
            budget -= 1
            switch job.role {
            case .isolated:
                // An actor's job: it runs isolated to the executor.
                // Safety: each job is popped once and run once; serialExecutor is IsolatedEntry, alive while actors using it keep the RingExecutor.
                unsafe job.job.runSynchronously(on: serialExecutor!)
            case .loopPreference:
                // A task that prefers this executor: no serial isolation, so calls into nonisolated
                // async functions stay on this thread instead of bouncing through the queue.
                // Safety: each job runs once; taskExecutor is the RingExecutor, retained by the preference scope (or Task) of the job's task.
                unsafe job.job.runSynchronously(on: taskExecutor!)
            case .groupPreference:
                // Safety: each job runs once; groupTaskExecutor is set before the group hands out jobs, and the task's preference retains the group.
                unsafe job.job.runSynchronously(on: groupTaskExecutor!)
            case .global:
                // Safety: each job runs once; the generic executor reference is what the runtime's own pool runs global jobs on (see GenericExecutor.swift).
                unsafe job.job.runSynchronously(on: genericExecutorReference)
            }
            backend.submitIfDeviceBound(armedCount: table.armedCount)
        }
    }

    private func takePosted() {
        mailbox.take(into: &posted)
        placedJobs.store(0, ordering: .relaxed)
        defer { posted.removeAll() }
        for job in posted.jobs { localJobs.append(job) }
        for slot in posted.fileSlotReleases { backend.releaseFileSlot(slot) }
        if posted.flushLeaseCache { pool.flushCache(ofLoop: mailbox.index) }
        for (userData, result) in posted.completions { table.complete(userData, result: result) }
        for id in posted.waiterCancels { table.cancelWaiter(id: id) }
        for userData in posted.cancels { cancel(userData) }
        for address in posted.sinkCancels {
            // Safety: retained by the cancellation hook that queued it; released here.
            let sink = unsafe Unmanaged<CompletionSink>.fromOpaque(UnsafeRawPointer(bitPattern: address)!).takeRetainedValue()
            cancelInFlight(of: sink)
        }
        // Safety: the posted continuations move into the machine, which hands each out once; the defer's removeAll drops only copies.
        unsafe perform(lifecycleMachine.drainRequested(by: posted.drainWaiters))
        unsafe perform(lifecycleMachine.shutdownRequested(by: posted.shutdownWaiters, terminate: posted.terminate))
    }

    /// Does what the lifecycle asks for (outside the state machine).
    private func perform(_ action: LifecycleStateMachine<UnsafeContinuation<Void, Never>>.Action) {
        // Safety: the action's continuations were handed out once by the machine; each case below resumes them once.
        switch unsafe action {
        case .none:
            return
        case .beginShutdown:
            publishLifecycle()
            table.failAllWaiters()
            if ownsPool { pool.close() }
            for userData in table.armedUserData() { cancel(userData) }
        case .finishShutdown(let waiters):
            if case .ioUring(let ring) = backend { overflowFlushCount.store(ring.overflowFlushes, ordering: .relaxed) }
            backend.close(table: table)
            publishLifecycle()
            // Safety: the machine handed out these waiters once (and removed them), so each is resumed exactly once.
            for unsafe waiter in unsafe waiters { unsafe waiter.resume() }
        case .resume(let waiters):
            // Safety: callers that arrived after shutdown finished, handed out once by the machine; each is resumed once.
            for unsafe waiter in unsafe waiters { unsafe waiter.resume() }
        case .beginDrain:
            publishLifecycle()
            // Operations waiting for a slot have not started: they are new work, refused now.
            table.failAllWaiters()
        case .resumeDrained(let waiters):
            // Safety: handed out once by the machine (and removed from it), so each is resumed exactly once.
            for unsafe waiter in unsafe waiters { unsafe waiter.resume() }
        }
    }

    // MARK: Cancellation (loop thread)

    /// Asks the backend to cancel `userData` if it is still in flight.
    func cancel(_ userData: UInt64) {
        guard table.isArmed(userData) else { return }
        backend.cancel(userData)
    }

    /// Asks the backend to cancel every operation in flight on `sink`, once per sink.
    func cancelInFlight(of sink: CompletionSink) {
        assert(isLoopThread)
        guard !sink.cancelRequested else { return }
        sink.cancelRequested = true
        for userData in sink.inFlightUserData() { cancel(userData) }
    }
}
