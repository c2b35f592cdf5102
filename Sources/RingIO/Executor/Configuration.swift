public import Logging
public import CoreMetrics

/// How a `RingExecutor` sets up its ring and buffer pool.
public struct RingExecutorConfiguration: Sendable, Hashable {
    /// What to do when io_uring, or registering the buffers, is not possible.
    public enum Policy: Sendable, Hashable {
        /// Throw a clear error (`.ioUringUnavailable`, `.lockedMemoryLimit`, …).
        case requireIOURing
        /// Keep working and say so in `RingExecutor.capabilities`: a thread-pool backend when
        /// io_uring is unavailable; a smaller pool that fits RLIMIT_MEMLOCK, or unregistered
        /// buffers (plain READ/WRITE), when the buffers cannot all be registered.
        case fallback
        /// Use the thread-pool backend even where io_uring works (tests, or known-blocked hosts).
        case threadPoolOnly
    }

    /// Submission queue entries (2...32768); the kernel rounds up to a power of two.
    public var entries: UInt32
    /// The registered buffer pool's shape.
    public var buffers: BufferPool.Configuration
    /// Most operations in flight at once; more wait in FIFO order. Default: `2 × entries`.
    public var maxInFlight: Int?
    /// Setup flags to try first; weaker sets are tried when the kernel refuses (EINVAL).
    /// Pass `[]` to force plain setup.
    public var setupFlags: SetupFlags
    /// Slots in the ring's registered-file table (0 turns registration off). Files opened with
    /// `File.open` take a slot while one is free; the rest work unregistered.
    public var registeredFiles: Int
    /// What to do when io_uring or fixed buffers are not available; default `.fallback`.
    public var policy: Policy
    /// Threads of the thread-pool backend, when it is used.
    public var fallbackThreads: Int
    /// How long an idle loop (no ready job, nothing in flight) watches its mailbox before it
    /// blocks in the kernel (0...1 ms; default 0, never). Work posted meanwhile, e.g. a hop from
    /// another loop of a group, then needs no wake-up of a sleeping thread, which on a VM can
    /// cost tens of µs across CPUs (`Benchmarks/cross-loop`); the price is that much CPU burnt
    /// each time the loop goes idle. io_uring backend only.
    public var idleSpin: Duration = .zero
    /// How long a graceful shutdown (a `ServiceGroup`'s, or `shutdownGracefully()`) lets the
    /// operations in flight finish before it cancels the rest; default 10 s.
    public var gracefulShutdownTimeout: Duration = .seconds(10)
    /// Metrics through swift-metrics, or nil (the default: off, nothing counted).
    ///
    /// Each loop counts operations by kind and result (`<label>_operations_total`, dimensions
    /// `op` and `result`), bytes read and written, errors by errno (`errno`), CQ overflows, and
    /// samples the operations in flight and the pool's free buffers and waiters (gauges); a
    /// `<label>_backend` gauge names the backend. Counting adds a few additions per I/O into
    /// storage made at start (no allocation); the loop hands the differences to the metrics
    /// backend at most once per `interval`, from its own turn (so not while it sleeps idle).
    public var metrics: Metrics? {
        get { _metrics.value }
        set { _metrics.value = newValue }
    }
    private var _metrics = IgnoredInEquality<Metrics?>(value: nil)

    /// Where the executor (or group) says what it set up and why something is not as asked: a
    /// summary at info once at start-up, each fallback (RLIMIT_MEMLOCK, io_uring disabled or
    /// blocked, missing opcodes, a smaller pool, no buffer cloning) at warning with its reason,
    /// shutdown at debug; nothing per I/O. Default: a logger that discards everything, as
    /// swift-log asks of libraries; pass your application's (e.g. Hummingbird's) to see them.
    /// Not part of the configuration's equality.
    public var logger: Logger {
        get { _logger.value }
        set { _logger.value = newValue }
    }
    private var _logger = IgnoredInEquality(value: Logger(label: "RingIO", factory: { _ in SwiftLogNoOpLogHandler() }))

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - entries: SQ entries, default 256.
    ///   - buffers: pool shape, default 64 buffers of 64 KiB.
    ///   - maxInFlight: in-flight limit, default `2 × entries`.
    ///   - setupFlags: flags to try first, default `SetupFlags.preferred`.
    ///   - registeredFiles: registered-file slots, default 1024; 0 turns registration off.
    ///   - policy: what to do when io_uring or fixed buffers are not available; default `.fallback`.
    ///   - fallbackThreads: threads of the thread-pool backend, default 4.
    public init(
        entries: UInt32 = 256,
        buffers: BufferPool.Configuration = .init(count: 64, size: 64 << 10),
        maxInFlight: Int? = nil,
        setupFlags: SetupFlags = .preferred,
        registeredFiles: Int = 1024,
        policy: Policy = .fallback,
        fallbackThreads: Int = 4
    ) {
        self.entries = entries
        self.buffers = buffers
        self.maxInFlight = maxInFlight
        self.setupFlags = setupFlags
        self.registeredFiles = registeredFiles
        self.policy = policy
        self.fallbackThreads = fallbackThreads
    }

    /// CQ size override, for tests that force CQ overflow; nil sizes the CQ so it cannot overflow.
    var completionEntriesOverride: UInt32?

    /// Use ftruncate(2) even where IORING_OP_FTRUNCATE exists, for tests of the fallback.
    var forceTruncateFallback = false
    /// Leave the pool unregistered (plain READ/WRITE), for tests of the memlock fallback.
    var forceUnregisteredBuffers = false
    /// Act as if the kernel refused IORING_REGISTER_CLONE_BUFFERS (EINVAL, as before Linux
    /// 6.12), for tests of a group whose loops register the pool one by one.
    var forceCloneRefusal = false
    /// A group's loop: wake the group's other loops with IORING_OP_MSG_RING where the kernel has
    /// it (set from `RingExecutorGroup.Configuration.crossLoopWakeup`).
    var messageWakeups = false
    /// Aim wake-up messages at a descriptor that is not a ring, so every one fails, for tests of
    /// the fallback to the eventfd.
    var forceFailedWakeMessages = false

    /// The in-flight limit in force.
    var inFlightLimit: Int { maxInFlight ?? Int(entries) * 2 }

    /// Refuses impossible shapes before any syscall.
    func validate() throws(RingIOError) {
        guard entries >= 2 && entries <= 32768 else {
            throw .invalidArgument(.configuration, "entries must be between 2 and 32768 (got \(entries)); a request and its linked timeout need two")
        }
        guard inFlightLimit >= 1 && inFlightLimit <= 16384 else {
            throw .invalidArgument(.configuration, "maxInFlight must be between 1 and 16384 (got \(inFlightLimit))")
        }
        try BufferRegion.validate(count: buffers.count, size: buffers.size, for: .configuration)
        guard fallbackThreads >= 1 && fallbackThreads <= 256 else {
            throw .invalidArgument(.configuration, "fallbackThreads must be between 1 and 256 (got \(fallbackThreads))")
        }
        guard registeredFiles >= 0 && registeredFiles <= 1 << 20 else {
            throw .invalidArgument(.configuration, "registeredFiles must be between 0 and 1048576 (got \(registeredFiles))")
        }
        guard gracefulShutdownTimeout >= .zero else {
            throw .invalidArgument(.configuration, "gracefulShutdownTimeout must not be negative (got \(gracefulShutdownTimeout))")
        }
        guard idleSpin >= .zero && idleSpin <= .milliseconds(1) else {
            throw .invalidArgument(.configuration, "idleSpin must be between 0 and 1 ms (got \(idleSpin))")
        }
    }
}

/// A logger or metrics sink inside a Hashable configuration: every two compare equal (they say
/// where messages and counts go, not how the ring is set up).
private struct IgnoredInEquality<Value: Sendable>: Sendable, Hashable {
    var value: Value
    static func == (lhs: Self, rhs: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}

extension RingExecutorConfiguration {
    /// Where and how often a loop reports its counts to swift-metrics.
    public struct Metrics: Sendable {
        /// The prefix of every metric's label; default "ringio".
        public var label: String
        /// Dimensions added to every metric (a group's loops add `loop`).
        public var dimensions: [(String, String)]
        /// How often a loop hands its counts over; default 1 s.
        public var interval: Duration
        /// The metrics backend; nil uses the one bootstrapped in `MetricsSystem`.
        public var factory: (any MetricsFactory)?

        /// Creates metrics settings.
        ///
        /// - Parameters:
        ///   - label: the labels' prefix.
        ///   - dimensions: added to every metric.
        ///   - interval: how often counts are handed over (at least 1 ms is sensible).
        ///   - factory: the backend, or nil for `MetricsSystem.factory`.
        public init(label: String = "ringio", dimensions: [(String, String)] = [], interval: Duration = .seconds(1), factory: (any MetricsFactory)? = nil) {
            self.label = label
            self.dimensions = dimensions
            self.interval = interval
            self.factory = factory
        }
    }
}
