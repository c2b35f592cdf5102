internal import CRingIO
import Synchronization

/// Several loops, each a thread with its own ring, sharing one registered buffer pool.
///
/// A lease from `buffers` works with READ_FIXED / WRITE_FIXED on every loop: the group registers
/// the pool once and every loop's ring clones that registration (IORING_REGISTER_CLONE_BUFFERS,
/// Linux 6.12), so its memory is pinned, and charged to RLIMIT_MEMLOCK, once. Where the kernel
/// refuses cloning, each loop registers the pool itself (see `capabilities`).
///
/// A `File` opened on the group does its I/O on the loop the calling task runs on, so tasks on
/// any loop do their I/O without a hop; from elsewhere it goes to the loop that opened the file.
/// The group is also a `TaskExecutor`: a task that prefers it runs on a loop (see `enqueue`).
///
/// ```swift
/// let group = try RingExecutorGroup(configuration: .init(executor: .init(buffers: .init(count: 64, size: 64 << 10))))
/// try await group.run {                       // on one of the loops (round-robin)
///     let file = try await File.open("data.bin", on: group)
///     var lease = try await group.buffers.lease()
///     _ = try await file.read(into: &lease, at: 0)   // READ_FIXED on the loop this task is on
/// }
/// await group.shutdown()
/// ```
public final class RingExecutorGroup: TaskExecutor, BufferPoolHost {
    /// How many loops, where they run, and the configuration of each.
    public struct Configuration: Sendable {
        /// Number of loops; nil: one per CPU this process may run on (`sched_getaffinity`).
        public var loops: Int?
        /// Pin loop i to the i-th CPU this process may run on (wrapping around).
        public var pinsLoopsToCPUs: Bool
        /// Each loop's ring, in-flight limit and policy; `buffers` is the shape of the one pool
        /// the loops share (not one pool per loop).
        public var executor: RingExecutorConfiguration
        /// How a loop wakes another that sleeps in the kernel when it hands it work.
        public var crossLoopWakeup: CrossLoopWakeup

        /// How a loop of the group wakes another.
        public enum CrossLoopWakeup: Sendable, Hashable {
            /// IORING_OP_MSG_RING from the waking loop's ring (Linux 5.18), where the kernel has
            /// it, else the eventfd: 0.70× the eventfd's round trip between two CPUs here, 0.90×
            /// on one (`Benchmarks/wakeup`). The default.
            case message
            /// A write to the eventfd whose read the sleeping loop keeps on its ring (what other
            /// threads always use).
            case eventFD
        }

        /// Creates a group configuration.
        ///
        /// - Parameters:
        ///   - loops: how many loops (1...1024); nil for one per CPU this process may use.
        ///   - pinsLoopsToCPUs: pin each loop thread to its own CPU.
        ///   - executor: each loop's configuration; its `buffers` sizes the shared pool.
        ///   - crossLoopWakeup: how a loop wakes another, default `.message` (IORING_OP_MSG_RING).
        public init(
            loops: Int? = nil, pinsLoopsToCPUs: Bool = false, executor: RingExecutorConfiguration = .init(),
            crossLoopWakeup: CrossLoopWakeup = .message
        ) {
            self.loops = loops
            self.pinsLoopsToCPUs = pinsLoopsToCPUs
            self.executor = executor
            self.crossLoopWakeup = crossLoopWakeup
        }
    }

    /// The loops, in order; each is a full `RingExecutor` (its `buffers` is the group's pool).
    public let loops: [RingExecutor]
    /// The one pool every loop uses; a lease from it works on any loop.
    public let buffers: BufferPool
    /// The configuration the group was created with.
    public let configuration: Configuration
    /// The pool's one registration, which the loops clone; nil when it is not registered, or
    /// when the kernel cannot clone (each loop registered the pool itself).
    private let registration: PoolRegistration?
    /// This group's identity in the loop threads' thread-local (`ringio_current_loop`).
    let id: UInt64
    /// Whether the shutdown was logged (once, however often `shutdown()` is called).
    private let shutdownLogged = Atomic<Bool>(false)
    private let nextLoop = Atomic<Int>(0)

    /// Tells groups apart in the thread-local; 0 means "no group".
    private static let lastID = Atomic<UInt64>(0)

    /// Maps and registers the pool, then starts the loops, which share it.
    ///
    /// - Parameter configuration: number of loops, pinning, and each loop's configuration.
    /// - Throws: `RingIOError`, as `RingExecutor.init(configuration:)`, or `.invalidArgument` for a
    ///   loop count outside 1...1024. Loops already started are stopped again.
    public init(configuration: Configuration = .init()) throws {
        var executor = configuration.executor
        try executor.validate()
        executor.messageWakeups = configuration.crossLoopWakeup == .message
        let cpus = Self.allowedCPUs()
        let count = configuration.loops ?? max(1, cpus.count)
        guard count >= 1 && count <= 1024 else {
            throw RingIOError.invalidArgument(.configuration, "A group needs between 1 and 1024 loops (got \(count))")
        }
        // The pool, registered once with a ring of its own; each loop clones that registration.
        var notes: [String] = []
        var region = try BufferRegion(count: executor.buffers.count, size: executor.buffers.size)
        var registration = try Self.register(&region, executor, notes: &notes)
        let id = Self.lastID.add(1, ordering: .relaxed).newValue
        // Each loop keeps a few free buffers of its own: leases and returns on a loop take no lock.
        let pool = BufferPool(region: region, registered: registration != nil, loopCaches: (id, count))
        let shared = LoopSetup.SharedPool(pool: pool, sourceRing: registration?.descriptor)
        var loops: [RingExecutor] = []
        do {
            for index in 0..<count {
                let cpu = configuration.pinsLoopsToCPUs && !cpus.isEmpty ? cpus[index % cpus.count] : nil
                loops.append(try RingExecutor(
                    validated: executor, shared: shared, membership: (id, index), cpu: cpu, notes: notes))
            }
        } catch {
            for loop in loops { loop.core.requestTermination() }
            registration?.close()
            throw error
        }
        // No loop could clone it (a kernel before 6.12): each registered the pool itself, so
        // let go of the group's own pin.
        if let unused = registration, !loops.contains(where: { $0.capabilities.bufferSharing == .cloned }) {
            unused.close()
            registration = nil
        }
        self.id = id
        self.loops = loops
        self.buffers = pool
        self.registration = registration
        self.configuration = configuration
        pool.attach(host: self)
        // Before any job can come through the group (the mailbox's lock orders this write before
        // the loop reads it).
        let mailboxes = loops.map(\.core.mailbox)
        for loop in loops { loop.core.mailbox.usePeers(mailboxes) }
        for loop in loops {
            // Safety: unowned: jobs of this role belong to tasks whose preference retains the group.
            unsafe loop.core.groupTaskExecutor = unsafe asUnownedTaskExecutor()
        }
        StartupLog.groupStarted(loops.map(\.capabilities), configuration)
    }

    /// The pool's one registration, or nil: the thread-pool policy, or under `.fallback` when
    /// io_uring or RLIMIT_MEMLOCK refuses (the loops' own ring setup meets the same refusal and
    /// says why in their notes).
    private static func register(
        _ region: inout BufferRegion, _ executor: RingExecutorConfiguration, notes: inout [String]
    ) throws(RingIOError) -> PoolRegistration? {
        guard executor.policy != .threadPoolOnly else { return nil }
        do throws(RingIOError) {
            return try PoolRegistration.make(
                &region, fitToTheLimit: executor.policy == .fallback,
                forceUnregistered: executor.forceUnregisteredBuffers, notes: &notes)
        } catch where executor.policy == .fallback && (error.code == .ioUringUnavailable || error.code == .lockedMemoryLimit) {
            return nil
        }
    }

    deinit {
        for loop in loops { loop.core.requestTermination() }
        registration?.close()
    }

    /// The loop the calling thread runs, if it is one of this group's; else nil.
    @inline(__always)
    public var currentLoop: RingExecutor? {
        let identity = ringio_current_loop()
        guard identity.group == id else { return nil }
        return loops[Int(identity.index)]
    }

    /// The next loop in round-robin order, for work that comes from outside the group.
    public func next() -> RingExecutor {
        loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Runs `body` as a task that prefers a loop of this group: the caller's loop when it is on
    /// one, else the next in round-robin order. Its child tasks inherit that loop.
    ///
    /// - Parameter body: the work.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, or `RingIOError.shutDown` if that loop was shut down.
    public func run<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        try await (currentLoop ?? next()).run(body)
    }

    /// Runs a job of a task that prefers the group (`withTaskExecutorPreference(group)`,
    /// `Task(executorPreference: group)`): on the loop of the thread that enqueues it when that is
    /// one of the group's (a task resumed by its loop's completion stays there, and its I/O on a
    /// group's `File` runs inline), else on the next loop in round-robin order.
    ///
    /// New work enqueued on a loop (a child task, a task woken by another task) stays on that
    /// loop unless it is busier than another by two or more ready jobs and operations in flight
    /// (see `place`), so a task group started on one loop spreads over the loops. A task
    /// resumed by its own I/O stays on the loop that completed it.
    public func enqueue(_ job: consuming ExecutorJob) {
        let queued = QueuedJob(job: UnownedJob(job), role: .groupPreference)
        let identity = ringio_current_loop()
        if identity.group == id {
            place(queued, from: loops[Int(identity.index)].core, index: Int(identity.index))
        } else {
            next().core.enqueue(queued)
        }
    }

    /// Places a job of a task free to run on any loop, enqueued on the thread of loop `index`:
    /// there, unless that loop has at least two more ready jobs and operations in flight than
    /// another (the next in round-robin order), which then takes it.
    ///
    /// A task the loop is resuming in the middle of one of its operations (a completion, a
    /// granted slot) always stays: it is still using the loop's confined state. What moves is
    /// new work: a child task, a task woken by another task.
    @inline(__always)
    func place(_ job: QueuedJob, from core: LoopCore, index: Int) {
        if loops.count > 1 && !core.table.isResuming {
            let own = core.currentLoad
            if own >= 2 {
                var target = next().core
                if target === core { target = loops[(index + 1) % loops.count].core }
                let theirs = target.publishedLoad.load(ordering: .relaxed) + target.placedJobs.load(ordering: .relaxed)
                if theirs + 1 < own {
                    target.placedJobs.wrappingAdd(1, ordering: .relaxed)
                    target.enqueue(job)
                    return
                }
            }
        }
        core.enqueue(job)
    }


    /// What each loop found at start-up: backend, flags, and how it shares the pool.
    public var capabilities: [Capabilities] { loops.map(\.capabilities) }

    /// Shuts every loop down at once: leases are refused from now on, operations in flight on
    /// every loop are cancelled (the kernel finishes with each buffer before its lease comes
    /// back), then the rings are closed. Calling it again is harmless.
    ///
    /// A group installed as the global executor is taken out first: from then on jobs of the
    /// global executor from other threads go to Swift's own pool; jobs already on a loop, and
    /// those its tasks enqueue, still run there.
    public func shutdown() async {
        GlobalEnqueueHook.uninstall(self)
        buffers.close()
        await withTaskGroup(of: Void.self) { tasks in
            for loop in loops { tasks.addTask { await loop.shutdown() } }
        }
        registration?.close()
        if !shutdownLogged.exchange(true, ordering: .relaxed) { StartupLog.shutDown("group", configuration.executor.logger) }
    }

    /// Whether every loop has shut down.
    public var isShutDown: Bool { loops.allSatisfy(\.isShutDown) }

    /// The CPUs this process may run on, in order.
    static func allowedCPUs() -> [Int32] {
        var cpus = [Int32](repeating: 0, count: 1024)
        // Safety: writes at most cpus.count ints into the array, which has room for them.
        let count = unsafe cpus.withUnsafeMutableBufferPointer { unsafe ringio_allowed_cpus($0.baseAddress!, Int32($0.count)) }
        return count > 0 ? Array(cpus.prefix(Int(count))) : []
    }
}

extension RingExecutorGroup {
    /// Asks every loop to give the buffers its lease cache keeps back to the pool (a lease is
    /// waiting, or a reregister needs every buffer back).
    func flushLeaseCaches() {
        for loop in loops { loop.core.mailbox.post { $0.flushLeaseCache = true } }
    }

    /// Swaps the pool's registration on every loop (`BufferPool.reregister`; no lease is out):
    /// registers the new buffers with the group's registration ring and lets every loop clone
    /// them (or register them, each as it got the old set). If a loop refuses, the old set
    /// is put back everywhere; if even that fails, the pool is closed.
    func replaceRegistration(of pool: BufferPool, with configuration: BufferPool.Configuration) async throws {
        let replacement = try BufferRegion(count: configuration.count, size: configuration.size)
        let old = pool.region
        do {
            try await register(replacement)
        } catch {
            do {
                try await register(old)
            } catch {
                pool.close()
            }
            throw error
        }
        pool.endDrain(with: replacement)
    }

    /// Gives every loop's ring `region` in place of what it has: the group's registration
    /// first, then each loop clones it (or registers it, as it did the old set).
    private func register(_ region: BufferRegion) async throws {
        try registration?.replace(with: region)
        let source = registration?.descriptor
        for loop in loops {
            try await loop.onLoop {
                try loop.core.swapRegistration(to: region, cloningFrom: source)
            }
        }
    }
}
