internal import CRingIO
import Glibc
import Synchronization

/// The state and loop of one executor thread: ring, in-flight table, job queues, wake-up channel.
///
/// Fields marked loop-confined are touched only on the loop thread; everything other threads may
/// touch is atomic or behind `remote`'s mutex. That split is what the `@unchecked Sendable` relies on.
final class LoopCore: @unchecked Sendable {
    let configuration: RingExecutorConfiguration

    // MARK: Shared with other threads

    private let remote = Mutex(RemoteQueue())
    private let hasRemoteWork = Atomic<Bool>(false)
    /// True while the loop is (about to be) blocked in the kernel; remote producers then write the eventfd.
    private let sleeping = Atomic<Bool>(false)
    private let lifecycleState = Atomic<UInt8>(Lifecycle.starting.rawValue)
    /// The eventfd other threads write to wake the loop.
    let eventFD: Int32
    /// The loop thread; written by the loop before startup completes, read-only afterwards.
    private(set) var thread = pthread_t()
    /// Set by the loop before startup completes; read-only afterwards.
    private(set) var startupError: RingIOError?
    private(set) var acceptedFlags: SetupFlags = []
    /// Whether IORING_OP_FTRUNCATE is available; set before startup completes.
    private(set) var supportsFtruncate = false
    /// CQ overflow flushes over the ring's life, published at shutdown (tests read it).
    let overflowFlushCount = Atomic<Int>(0)
    /// Posted by the loop thread once setup has succeeded or failed (heap-allocated: shared by two threads).
    private let startup: UnsafeMutablePointer<sem_t>

    // MARK: Loop-confined

    private(set) var ring: Ring? {
        didSet { unretainedRing = ring.map { Unmanaged.passUnretained($0) } }
    }
    /// `ring` without a reference count, for the per-I/O paths (a strong local copy costs a
    /// retain and release per request). Safety: only the loop thread sets `ring`, never while a job
    /// or a completion is being handled, so the instance outlives every use of this.
    private(set) var unretainedRing: Unmanaged<Ring>?
    /// The registered-file table, if the kernel took one.
    private var fixedFiles: FixedFileTable?
    /// The thread-pool backend, when io_uring is not used.
    private(set) var workers: WorkerPool?
    /// What setup found and chose; written before startup completes, read-only afterwards.
    private(set) var capabilities = Capabilities(
        backend: .ioUring, setupFlags: [], fixedBuffers: false, registeredFiles: false, bufferCount: 0, bufferSize: 0, notes: [])
    let table: OperationTable
    private(set) var pool: BufferPool?
    private var localJobs = JobQueue()
    private var drainedJobs: [QueuedJob] = []
    private let completions: UnsafeMutablePointer<ringio_completion>
    private let completionCapacity: UInt32 = 256
    private let wakeBuffer: UnsafeMutablePointer<UInt64>
    /// Whether the eventfd read is pending on the ring; the loop never blocks without it.
    private var wakeArmed = false
    /// Set while the ring is being closed: the wake read is cancelled, not re-armed.
    private var closingRing = false
    /// Submit each job's SQEs right after the job instead of once per turn. Chosen per turn: when
    /// many requests are still in flight after the kernel had the chance to complete them inline
    /// (device-bound I/O such as O_DIRECT), waiting for the whole turn leaves the device's queue
    /// half empty; when they complete inline (page cache), one `io_uring_enter` per turn is cheaper.
    private var eagerSubmission = false
    /// In-flight requests above which the loop submits eagerly.
    private static let eagerSubmissionThreshold = 4
    private var shutdownWaiters: [UnsafeContinuation<Void, Never>] = []
    private var terminating = false
    var serialExecutor: UnownedSerialExecutor?
    var taskExecutor: UnownedTaskExecutor?

    init(configuration: RingExecutorConfiguration) throws(RingIOError) {
        self.configuration = configuration
        self.table = OperationTable(capacity: configuration.inFlightLimit)
        self.completions = .allocate(capacity: 256)
        self.wakeBuffer = .allocate(capacity: 1)
        self.wakeBuffer.initialize(to: 0)
        // Blocking on purpose: some kernels complete an io_uring read of an O_NONBLOCK file at once
        // with EAGAIN instead of waiting for it to become readable.
        let fd = eventfd(0, Int32(EFD_CLOEXEC))
        guard fd >= 0 else {
            completions.deallocate()
            wakeBuffer.deallocate()
            throw RingIOError(code: .system, errno: .init(rawValue: ringio_errno()), operation: .setup, hint: "eventfd() failed")
        }
        self.eventFD = fd
        self.startup = .allocate(capacity: 1)
        sem_init(startup, 0, 0)
    }

    deinit {
        Glibc.close(eventFD)
        completions.deallocate()
        wakeBuffer.deallocate()
        sem_destroy(startup)
        startup.deallocate()
    }

    var lifecycle: Lifecycle {
        Lifecycle(rawValue: lifecycleState.load(ordering: .acquiring))!
    }

    private func setLifecycle(_ value: Lifecycle) {
        lifecycleState.store(value.rawValue, ordering: .releasing)
    }

    /// True on the loop thread.
    @inline(__always)
    var isLoopThread: Bool { pthread_equal(pthread_self(), thread) != 0 }

    // MARK: Startup

    /// Starts the loop thread and waits until it has set up the ring and pool (or failed to).
    func start() throws(RingIOError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(&handle, &attributes, { context in
            // Safety: the context is the retained LoopCore passed just above; we take over that retain.
            let core = Unmanaged<LoopCore>.fromOpaque(context!).takeRetainedValue()
            core.threadMain()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<LoopCore>.fromOpaque(context).release()
            throw RingIOError(code: .system, errno: .init(rawValue: created), operation: .setup, hint: "Could not start the executor thread")
        }
        while sem_wait(startup) != 0 {}
        if let startupError { throw startupError }
    }

    private func threadMain() {
        thread = pthread_self()
        ringio_set_thread_name("ringio-loop")
        do {
            try setUp()
        } catch {
            startupError = error
            ring = nil
            setLifecycle(.failed)
            sem_post(startup)
            return
        }
        setLifecycle(.running)
        sem_post(startup)
        if ring != nil {
            runRingLoop()
        } else {
            runPoolLoop()
        }
        runPlainLoop()
    }

    private func setUp() throws(RingIOError) {
        var notes: [String] = []
        let policy = configuration.policy
        var ring: Ring?
        if policy != .threadPoolOnly {
            do throws(RingIOError) {
                let made = try Ring(
                    entries: configuration.entries,
                    completionEntries: configuration.completionEntriesOverride ?? UInt32(configuration.inFlightLimit * 2 + 64),
                    preferred: configuration.setupFlags)
                if let missing = Self.missingOpcodes(made) {
                    throw RingIOError(
                        code: .ioUringUnavailable, errno: .notSupported, operation: .setup,
                        hint: "This kernel's io_uring lacks \(missing), which RingIO needs; Linux 5.15 or later has them")
                }
                ring = made
            } catch where policy == .fallback && (error.code == .ioUringUnavailable || error.errno == .noMemory) {
                notes.append("io_uring is not available, so blocking syscalls on \(configuration.fallbackThreads) threads do the I/O: \(error)")
            }
        } else {
            notes.append("The thread-pool backend was requested (policy .threadPoolOnly)")
        }
        var region = try BufferRegion(count: configuration.buffers.count, size: configuration.buffers.size)
        var registered = false
        if let ring {
            self.ring = ring
            acceptedFlags = ring.flags
            supportsFtruncate = ring.supportsFtruncate && !configuration.forceTruncateFallback
            do throws(RingIOError) {
                if configuration.forceUnregisteredBuffers {
                    throw RingIOError(code: .lockedMemoryLimit, errno: .noMemory, operation: .registerBuffers, hint: "registration turned off for a test")
                }
                try BufferRegistration.register(region, on: ring)
                registered = true
            } catch where policy == .fallback && error.code == .lockedMemoryLimit {
                // Fit the pool to RLIMIT_MEMLOCK if at least one buffer fits (other pinned memory
                // counts too, so halve until the kernel accepts), else use it unregistered.
                let limit = ringio_memlock_limit()
                var fitting = limit == UInt64.max || configuration.forceUnregisteredBuffers
                    ? 0 : min(region.count - 1, Int(limit / UInt64(region.stride)))
                var smaller: BufferRegion?
                while fitting >= 1 && smaller == nil {
                    if let candidate = try? BufferRegion(count: fitting, size: region.size),
                       (try? BufferRegistration.register(candidate, on: ring)) != nil {
                        smaller = candidate
                    } else {
                        fitting /= 2
                    }
                }
                if let smaller {
                    notes.append("RLIMIT_MEMLOCK (\(limit) bytes) holds \(smaller.count) of the \(region.count) buffers asked for, so the pool has \(smaller.count); raise `ulimit -l` for more: \(error.hint ?? "")")
                    region = smaller
                    registered = true
                } else {
                    notes.append("RLIMIT_MEMLOCK (\(limit) bytes) is too small to register even one buffer, so leases use plain READ/WRITE instead of READ_FIXED/WRITE_FIXED: \(error.hint ?? "")")
                }
            }
            fixedFiles = FixedFileTable(ring: ring, count: configuration.registeredFiles)
            try armWakeRead()
        } else {
            workers = try WorkerPool(threadCount: configuration.fallbackThreads) { [unowned self] userData, result in
                self.postCompletion(userData, result)
            }
        }
        pool = BufferPool(region: region, registered: registered)
        capabilities = Capabilities(
            backend: ring == nil ? .threadPool : .ioUring, setupFlags: ring?.flags ?? [], fixedBuffers: registered,
            registeredFiles: fixedFiles != nil, bufferCount: region.count, bufferSize: region.size, notes: notes)
    }

    /// The first opcode RingIO needs that the ring's kernel lacks, or nil.
    private static func missingOpcodes(_ ring: Ring) -> String? {
        let needed: [(Int32, String)] = [
            (Int32(IORING_OP_READ_FIXED.rawValue), "IORING_OP_READ_FIXED"),
            (Int32(IORING_OP_WRITE_FIXED.rawValue), "IORING_OP_WRITE_FIXED"),
            (Int32(IORING_OP_OPENAT.rawValue), "IORING_OP_OPENAT"),
            (Int32(IORING_OP_CLOSE.rawValue), "IORING_OP_CLOSE"),
            (Int32(IORING_OP_READ.rawValue), "IORING_OP_READ"),
            (Int32(IORING_OP_ASYNC_CANCEL.rawValue), "IORING_OP_ASYNC_CANCEL"),
        ]
        for (opcode, name) in needed where !ring.supports(opcode) { return name }
        return nil
    }

    /// A result from the thread-pool backend (worker thread): hand it to the loop.
    private func postCompletion(_ userData: UInt64, _ result: Int32) {
        remote.withLock { $0.completions.append((userData, result)) }
        signalRemoteWork()
    }

    /// Keeps one read of the eventfd pending on the ring, so other threads can wake a blocked loop.
    private func armWakeRead() throws(RingIOError) {
        guard let ring, !wakeArmed, !closingRing else { return }
        let sqe = try ring.nextSQE()
        io_uring_prep_read(sqe, eventFD, wakeBuffer, 8, 0)
        io_uring_sqe_set_data64(sqe, UserData.wake)
        wakeArmed = true
    }

    // MARK: Enqueueing

    /// Queues a job; called by the Swift runtime from any thread.
    @inline(__always)
    func enqueue(_ job: QueuedJob) {
        if isLoopThread {
            localJobs.append(job)
            return
        }
        remote.withLock { $0.jobs.append(job) }
        signalRemoteWork()
    }

    /// Asks the loop to cancel the operation `userData` (from a cancellation handler, any thread).
    func requestCancel(_ userData: UInt64) {
        remote.withLock { $0.cancels.append(userData) }
        signalRemoteWork()
    }

    /// Asks the loop to cancel every operation of a pipeline (from a cancellation handler, any thread).
    ///
    /// - Parameter sink: a `CompletionSink` retained by the caller; the loop releases it.
    func requestCancel(ofRetainedSink sink: UnsafeMutableRawPointer) {
        let address = UInt(bitPattern: sink)
        remote.withLock { $0.sinkCancels.append(address) }
        signalRemoteWork()
    }

    /// Asks the loop to drop the slot waiter `id` (from a cancellation handler, any thread).
    func requestWaiterCancel(_ id: UInt64) {
        remote.withLock { $0.waiterCancels.append(id) }
        signalRemoteWork()
    }

    /// Asks the loop to shut down; `continuation` is resumed when it has.
    func requestShutdown(_ continuation: UnsafeContinuation<Void, Never>) {
        remote.withLock { $0.shutdownWaiters.append(continuation) }
        signalRemoteWork()
    }

    /// Registers `fd` in the fixed-file table (loop thread); nil when full, off, or shut down.
    func registerFile(_ fd: Int32) -> Int32? {
        assert(isLoopThread)
        guard lifecycle == .running else { return nil }
        return fixedFiles?.register(fd)
    }

    /// Empties a fixed-file slot: at once on the loop thread, else through the remote queue.
    func releaseFileSlot(_ slot: Int32) {
        if isLoopThread {
            if ring != nil { fixedFiles?.release(slot) }
            return
        }
        remote.withLock { $0.fileSlotReleases.append(slot) }
        signalRemoteWork()
    }

    /// Registered-file slots not in use (loop thread; for tests and diagnostics).
    var freeFileSlots: Int? { fixedFiles?.freeCount }

    /// Tells the loop the executor is gone: shut down if needed and end the thread.
    func requestTermination() {
        remote.withLock { $0.terminate = true }
        signalRemoteWork()
    }

    private func signalRemoteWork() {
        hasRemoteWork.store(true, ordering: .sequentiallyConsistent)
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = Glibc.write(eventFD, &one, 8)
        }
    }

    // MARK: The loop

    private func runRingLoop() {
        while let ring {
            if hasRemoteWork.load(ordering: .acquiring) { drainRemote() }
            runJobs()
            if lifecycle == .shuttingDown && advanceShutdown() { return }
            do {
                if !localJobs.isEmpty {
                    if ring.pendingSubmissions > 0 || table.armedCount > 0 {
                        try ring.submitAndGetEvents()
                    }
                } else {
                    // Never block without the wake read pending: other threads could not wake us.
                    if !wakeArmed { try armWakeRead() }
                    sleeping.store(true, ordering: .sequentiallyConsistent)
                    if hasRemoteWork.load(ordering: .sequentiallyConsistent) {
                        sleeping.store(false, ordering: .relaxed)
                        try ring.submitAndGetEvents()
                    } else {
                        try ring.submitAndWait(1)
                        sleeping.store(false, ordering: .relaxed)
                    }
                }
            } catch {
                sleeping.store(false, ordering: .relaxed)
                reportLoopError(error)
            }
            reapCompletions()
            eagerSubmission = table.armedCount > Self.eagerSubmissionThreshold
        }
    }

    private func runJobs() {
        // Run what is ready now; jobs made ready meanwhile wait for the next turn, so I/O keeps flowing.
        var budget = localJobs.count
        while budget > 0, let job = localJobs.popFirst() {
            budget -= 1
            if job.isIsolated {
                // An actor's job: it runs isolated to the executor.
                job.job.runSynchronously(on: serialExecutor!)
            } else {
                // A task that prefers this executor: no serial isolation, so calls into nonisolated
                // async functions stay on this thread instead of bouncing through the queue.
                job.job.runSynchronously(on: taskExecutor!)
            }
            submitIfDeviceBound()
        }
    }

    /// Submits the SQEs prepared so far at once when the I/O in flight is waiting for a device
    /// (more than `eagerSubmissionThreshold` operations really out), so the device's queue does
    /// not sit half empty until the loop turn ends; otherwise leaves them for the turn's single
    /// `io_uring_enter`. Loop thread only.
    @inline(__always)
    func submitIfDeviceBound() {
        guard let unretainedRing else { return }
        let failure = unretainedRing._withUnsafeGuaranteedRef { ring -> RingIOError? in
            guard ring.pendingSubmissions > 0,
                  eagerSubmission || table.armedCount - Int(ring.pendingSubmissions) - Int(ring.readyCompletions) > Self.eagerSubmissionThreshold
            else { return nil }
            do throws(RingIOError) { try ring.submit() } catch { return error }
            return nil
        }
        if let failure { reportLoopError(failure) }
    }

    private func reapCompletions() {
        guard let ring else { return }
        while true {
            let count = ring.reap(into: completions, capacity: completionCapacity)
            if count == 0 { return }
            for index in 0..<count {
                let completion = completions[index]
                switch completion.user_data {
                case UserData.wake:
                    wakeArmed = false
                    // Re-armed here, or before the loop next blocks if the SQ refuses it now.
                    do { try armWakeRead() } catch { reportLoopError(error) }
                case UserData.cancel, UserData.linkTimeout:
                    break
                default:
                    table.complete(completion.user_data, result: completion.res)
                }
            }
        }
    }

    private func drainRemote() {
        hasRemoteWork.store(false, ordering: .sequentiallyConsistent)
        var cancels: [UInt64] = []
        var sinkCancels: [UInt] = []
        var waiterCancels: [UInt64] = []
        var newShutdownWaiters: [UnsafeContinuation<Void, Never>] = []
        var terminate = false
        var slotReleases: [Int32] = []
        var completed: [(UInt64, Int32)] = []
        remote.withLock { queue in
            if !queue.completions.isEmpty { swap(&queue.completions, &completed) }
            if !queue.fileSlotReleases.isEmpty { swap(&queue.fileSlotReleases, &slotReleases) }
            swap(&queue.jobs, &drainedJobs)
            if !queue.cancels.isEmpty { swap(&queue.cancels, &cancels) }
            if !queue.sinkCancels.isEmpty { swap(&queue.sinkCancels, &sinkCancels) }
            if !queue.waiterCancels.isEmpty { swap(&queue.waiterCancels, &waiterCancels) }
            if !queue.shutdownWaiters.isEmpty { swap(&queue.shutdownWaiters, &newShutdownWaiters) }
            terminate = queue.terminate
        }
        for job in drainedJobs { localJobs.append(job) }
        drainedJobs.removeAll(keepingCapacity: true)
        if ring != nil { for slot in slotReleases { fixedFiles?.release(slot) } }
        for (userData, result) in completed { table.complete(userData, result: result) }
        for id in waiterCancels { table.cancelWaiter(id: id) }
        for userData in cancels { submitCancel(of: userData) }
        for address in sinkCancels {
            // Safety: retained by the cancellation hook that queued it; released here.
            let sink = Unmanaged<CompletionSink>.fromOpaque(UnsafeRawPointer(bitPattern: address)!).takeRetainedValue()
            cancelInFlight(of: sink)
        }
        if terminate { terminating = true }
        if !newShutdownWaiters.isEmpty || terminating {
            shutdownWaiters.append(contentsOf: newShutdownWaiters)
            switch lifecycle {
            case .running:
                beginShutdown()
            case .shutDown, .failed:
                let waiters = shutdownWaiters
                shutdownWaiters.removeAll()
                for waiter in waiters { waiter.resume() }
            case .starting, .shuttingDown:
                break
            }
        }
    }

    /// Prepares IORING_OP_ASYNC_CANCEL for every operation in flight on `sink`, once per sink.
    func cancelInFlight(of sink: CompletionSink) {
        assert(isLoopThread)
        guard !sink.cancelRequested else { return }
        sink.cancelRequested = true
        for userData in sink.inFlightUserData() { submitCancel(of: userData) }
    }

    /// Prepares IORING_OP_ASYNC_CANCEL for `userData` if it is still in flight.
    func submitCancel(of userData: UInt64) {
        guard let ring, table.isArmed(userData) else { return }
        do {
            let sqe = try ring.nextSQE()
            io_uring_prep_cancel64(sqe, userData, 0)
            io_uring_sqe_set_data64(sqe, UserData.cancel)
        } catch {
            reportLoopError(error)
        }
    }

    // MARK: Shutdown

    private func beginShutdown() {
        setLifecycle(.shuttingDown)
        table.failAllWaiters()
        pool?.close()
        for userData in table.armedUserData() { submitCancel(of: userData) }
    }

    /// Finishes shutdown once nothing is in flight. Returns true when the ring is closed.
    private func advanceShutdown() -> Bool {
        guard table.armedCount == 0, let ring else { return false }
        // Take the wake read back from the kernel first, so it cannot swallow a wake-up meant for
        // the plain loop or write into `wakeBuffer` after the ring is gone.
        closingRing = true
        if wakeArmed, let sqe = try? ring.nextSQE() {
            io_uring_prep_cancel64(sqe, UserData.wake, 0)
            io_uring_sqe_set_data64(sqe, UserData.cancel)
            while wakeArmed {
                do { try ring.submitAndWait(1) } catch { reportLoopError(error); break }
                reapCompletions()
            }
        }
        overflowFlushCount.store(ring.overflowFlushes, ordering: .relaxed)
        ring.unregisterBuffers()
        fixedFiles = nil
        ring.close()
        self.ring = nil
        setLifecycle(.shutDown)
        let waiters = shutdownWaiters
        shutdownWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
        return true
    }

    /// The loop of the thread-pool backend: run jobs, take results from the workers, sleep on the
    /// eventfd when idle.
    private func runPoolLoop() {
        while true {
            if hasRemoteWork.load(ordering: .acquiring) { drainRemote() }
            runJobs()
            if lifecycle == .shuttingDown && table.armedCount == 0 {
                workers?.stop()
                workers = nil
                setLifecycle(.shutDown)
                let waiters = shutdownWaiters
                shutdownWaiters.removeAll()
                for waiter in waiters { waiter.resume() }
                return
            }
            if !localJobs.isEmpty { continue }
            sleepOnEventFD()
        }
    }

    /// After shutdown: keep running jobs (tasks may still finish on this executor) until the executor is released.
    private func runPlainLoop() {
        while true {
            if hasRemoteWork.load(ordering: .acquiring) { drainRemote() }
            runJobs()
            if !localJobs.isEmpty { continue }
            if terminating { return }
            sleepOnEventFD()
        }
    }

    /// Without a ring: block until another thread signals remote work through the eventfd
    /// (same sleeping/hasRemoteWork handshake as the ring loop).
    private func sleepOnEventFD() {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if !hasRemoteWork.load(ordering: .sequentiallyConsistent) {
            var descriptor = pollfd(fd: eventFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, -1)
            var value: UInt64 = 0
            _ = Glibc.read(eventFD, &value, 8)
        }
        sleeping.store(false, ordering: .relaxed)
    }

    private func reportLoopError(_ error: RingIOError) {
        // Nothing the caller passed can cause this (bad requests fail in their own completion); keep going.
        var stderrText = "\(error)\n"
        stderrText.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
