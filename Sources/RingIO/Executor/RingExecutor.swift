internal import CRingIO
import Logging
import Synchronization

/// A single-threaded executor that owns one io_uring and one registered buffer pool.
///
/// Its thread runs ready jobs, submits every SQE prepared in that turn with one `io_uring_enter`,
/// reaps completions in batches and resumes the tasks waiting for them, and blocks in the kernel
/// when there is nothing to do. It is a `TaskExecutor` (tasks inside `run` prefer it, so their I/O
/// never leaves the thread) and a `SerialExecutor` (actors may use it as their executor).
///
/// ```swift
/// let executor = try RingExecutor(configuration: .init(entries: 256, buffers: .init(count: 64, size: 64 << 10)))
/// try await executor.run {
///     let file = try await File.open("data.bin", on: executor)
///     var lease = try await executor.buffers.lease()
///     let n = try await file.read(into: &lease, at: 4096)   // IORING_OP_READ_FIXED
///     try await file.close()
/// }
/// await executor.shutdown()
/// ```
public final class RingExecutor: TaskExecutor, SerialExecutor, BufferPoolHost {
    let core: LoopCore
    /// The serial-executor face actors see; its jobs run isolated to this executor.
    private let isolatedEntry: IsolatedEntry
    /// `isolatedEntry`'s address, as actors' `unownedExecutor` carries it.
    private let serialExecutorIdentity: UInt

    /// The registered buffers; lease them for `File.read(into:at:)` and `File.write(from:at:)`.
    public let buffers: BufferPool

    /// The file layer's door to the loop (`File` uses this and nothing else of it).
    let door: LoopDoor
    /// Where a lone executor logs its shutdown (nil for a group's loop: the group logs).
    let logger: Logger?
    /// Whether the shutdown was logged (once, however often `shutdown()` is called).
    private let shutdownLogged = Atomic<Bool>(false)

    /// The configuration the executor was created with.
    public var configuration: RingExecutorConfiguration { core.configuration }

    /// The setup flags the kernel accepted (a subset of `configuration.setupFlags`).
    public var setupFlags: SetupFlags { core.capabilities.setupFlags }

    /// What start-up found and chose: the backend, setup flags, fixed buffers on or off, and why.
    public var capabilities: Capabilities { core.capabilities }

    /// Creates the executor: starts its thread, sets up the ring, maps and registers the buffers.
    ///
    /// - Parameter configuration: ring size, pool shape, in-flight limit and setup flags.
    /// - Throws: `RingIOError`: `.invalidArgument`/`.bufferTooLarge` for impossible shapes (before any
    ///   syscall), `.ioUringUnavailable` when io_uring is disabled or blocked, `.lockedMemoryLimit`
    ///   when RLIMIT_MEMLOCK is too small for the pool.
    public convenience init(configuration: RingExecutorConfiguration = .init()) throws {
        try configuration.validate()
        try self.init(validated: configuration, logger: configuration.logger)
        buffers.attach(host: self)
        StartupLog.executorStarted(capabilities, configuration)
    }

    /// Starts the loop; for `init(configuration:)` and `RingExecutorGroup` (which passes its pool,
    /// this loop's place in the group, a CPU and its notes, and attaches the pool to itself).
    init(
        validated configuration: RingExecutorConfiguration, shared: LoopSetup.SharedPool? = nil,
        membership: (group: UInt64, index: Int)? = nil, cpu: Int32? = nil, notes: [String] = [], logger: Logger? = nil
    ) throws(RingIOError) {
        self.logger = logger
        let core = try LoopCore.start(
            configuration: configuration, shared: shared, membership: membership, cpu: cpu, notes: notes)
        self.core = core
        self.door = LoopDoor(core)
        self.buffers = core.pool
        self.isolatedEntry = IsolatedEntry(core: core)
        // Safety: only the address is kept, as an identity to compare; isolatedEntry is a let, so it stays alive and unique for self's life.
        self.serialExecutorIdentity = unsafe UInt(bitPattern: Unmanaged.passUnretained(isolatedEntry).toOpaque())
        // No job can reach the loop before init returns, and the remote queue's mutex orders these
        // writes before the loop reads them.
        // Safety: unowned: only jobs of tasks preferring self (their preference retains it) or of actors keeping it alive run on these.
        unsafe core.serialExecutor = unsafe isolatedEntry.asUnownedSerialExecutor()
        unsafe core.taskExecutor = unsafe asUnownedTaskExecutor()
    }

    deinit {
        core.requestTermination()
    }

    /// Runs `body` as a task that prefers this executor, so it and its child tasks run on the ring thread.
    ///
    /// - Parameter body: the work; child tasks (task groups, `async let`) inherit the preference.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, or `RingIOError.shutDown` if the executor was shut down.
    public func run<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        guard core.lifecycle == .running else { throw RingIOError.shutDown(Operation("run")) }
        // `@concurrent`: hop to the generic executor after the preference is pushed, i.e. onto this
        // executor; `body` (nonsending) then runs there. The check keeps that hop (see `onLoop`).
        return try await withTaskExecutorPreference(self) { @concurrent in
            precondition(core.isLoopThread, "RingIO: the hop onto the executor's thread did not happen")
            return try await body()
        }
    }

    /// Cancels what is in flight, waits for the kernel to finish with it, unregisters the buffers and closes the ring.
    ///
    /// Operations in flight throw `RingIOError` `.shutDown`; later I/O and leases throw it too.
    /// On the thread-pool backend a blocking syscall cannot be cancelled, so shutdown waits for it.
    /// Tasks may still finish running on the executor's thread afterwards. Calling it again is harmless.
    public func shutdown() async {
        // Safety: the loop resumes it exactly once (the lifecycle machine hands each waiter out once), before its thread can end.
        unsafe await withUnsafeContinuation { continuation in
            unsafe core.requestShutdown(continuation)
        }
        if let logger, !shutdownLogged.exchange(true, ordering: .relaxed) { StartupLog.shutDown("executor", logger) }
    }

    /// Whether `shutdown()` has completed.
    public var isShutDown: Bool { core.lifecycle == .shutDown }

    /// Runs `body` on the ring thread: directly if the caller's isolation keeps it there (a
    /// nonisolated task that prefers this executor, or an actor that uses it), else by making this
    /// executor the task's preference for `body`.
    ///
    /// Being on the ring thread is not enough: a default actor can be running there (it was idle
    /// when a task that prefers this executor called it), and a task suspended in it resumes
    /// wherever that actor runs next, possibly a global-pool thread, while loop-confined state
    /// (the in-flight table) is still in use. Such callers take the hop.
    ///
    /// `body` must not await anything that leaves the caller's executor; RingIO's own async
    /// functions never do (they are `nonisolated(nonsending)`).
    ///
    /// On a loop of a group, a task on this thread may prefer the group, not this loop: it comes
    /// back from a suspension on whichever loop resumed it. That is harmless for a body whose
    /// suspensions this loop resumes (one operation: its slot and its completion), and wrong for
    /// one that holds loop-confined state across other waits (a pipeline, a read-ahead waiting
    /// for a lease that another loop gives back): those pass `pinned` and always take the
    /// preference for this loop.
    ///
    /// - Parameters:
    ///   - isolation: the caller's isolation (`#isolation`); a plain parameter, not `isolated`,
    ///     which would make the compiler hop to it before the call.
    ///   - pinned: `body` holds loop-confined state across waits that other threads may end.
    @inline(__always)
    func onLoop<T>(
        isolation: (any Actor)? = #isolation,
        pinned: Bool = false,
        _ body: nonisolated(nonsending) () async throws -> T
    ) async throws -> T {
        if core.isLoopThread && resumesOnLoop(isolation) && !(pinned && core.isInGroup) {
            return try await body()
        }
        // The `@concurrent` operation hops to the generic executor after the preference is pushed,
        // which for this task now means this executor; `body` (nonsending) then runs there too.
        // The check is also what keeps the hop: with only a nonsending call in the closure, the
        // optimizer drops the closure's entry hop and `body` would run on the caller's thread.
        return try await withTaskExecutorPreference(self) { @concurrent in
            precondition(core.isLoopThread, "RingIO: the hop onto the executor's thread did not happen")
            return try await body()
        }
    }

    /// Whether a task suspended in `isolation` is resumed on this executor: nonisolated code (on
    /// the ring thread only through the task's preference for this executor) or an actor whose
    /// executor is this one.
    @inline(__always)
    private func resumesOnLoop(_ isolation: (any Actor)?) -> Bool {
        guard let isolation else { return true }
        #if PublicConcurrencyOnly
        // The public concurrency API runs RingIO's suspensions nonisolated (see
        // `withLoopContinuation`), so actors take the hop even when they use this executor.
        _ = isolation
        return false
        #else
        // Compare executor identities (the first word of the reference); `asSerialExecutor()`
        // would misread a default actor's executor reference, which has no witness table.
        // Safety: UnownedSerialExecutor is two words, identity first (BitwiseCopyable).
        let identity = unsafe unsafeBitCast(isolation.unownedExecutor, to: (UInt, UInt).self).0
        return identity == serialExecutorIdentity
        #endif
    }

    /// One IORING_OP_NOP round trip through the ring: the runtime's own overhead per operation.
    ///
    /// - Throws: `RingIOError` `.shutDown`, or `CancellationError`.
    public func nop() async throws {
        _ = try await onLoop {
            try await core.perform(IORequest(.nop), .nop)
        }
    }

    // MARK: Executor conformances

    /// Runs a job of a task that prefers this executor (the `TaskExecutor` role).
    public func enqueue(_ job: consuming ExecutorJob) {
        core.enqueue(QueuedJob(job: UnownedJob(job), role: .loopPreference))
    }

    /// The executor actors use: same thread and queue, but its jobs run isolated (the `SerialExecutor` role).
    ///
    /// Use it as `nonisolated var unownedExecutor: UnownedSerialExecutor { ringExecutor.asUnownedSerialExecutor() }`.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        // Safety: unowned: isolatedEntry lives as long as self, which actors using this executor must keep alive.
        unsafe isolatedEntry.asUnownedSerialExecutor()
    }

    public func checkIsolated() {
        precondition(core.isLoopThread, "Expected to be on the RingExecutor's thread")
    }

    public func isIsolatingCurrentContext() -> Bool? {
        core.isLoopThread
    }

    // MARK: BufferPoolHost

    func replaceRegistration(of pool: BufferPool, with configuration: BufferPool.Configuration) async throws {
        try await onLoop {
            try core.replaceRegistration(of: pool, with: configuration)
        }
    }
}

