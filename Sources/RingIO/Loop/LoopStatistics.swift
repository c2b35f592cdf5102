import CoreMetrics

/// What one loop counts for swift-metrics while metrics are on: operations by kind and result,
/// bytes read and written, errors by errno, submissions and `io_uring_enter` calls.
///
/// Loop-confined: only the loop thread records and publishes. Recording is a few additions into
/// storage made at start (no allocation per I/O); publishing, once per interval from the loop's
/// turn, hands the differences since the last publication to the metrics backend.
final class LoopStatistics {
    /// Operation kinds, as metric dimensions (`op`), in `IORequest.Kind` order of `index(of:)`.
    static let kinds = ["nop", "read", "write", "readv", "writev", "open", "close", "stat", "sync",
                        "allocate", "truncate", "unlink", "rename", "mkdir"]
    /// Errno values counted one by one (larger ones are counted as "other").
    static let errnoLimit = 134

    private var operations: [Int]
    private var publishedOperations: [Int]
    private var errnos: [Int]
    private var publishedErrnos: [Int]
    private var bytesRead = 0, bytesWritten = 0, publishedBytesRead = 0, publishedBytesWritten = 0
    private var nextPublication: UInt64

    private let metrics: RingExecutorConfiguration.Metrics
    private let interval: UInt64
    private let operationCounters: [Counter]
    private var errnoCounters: [Int: Counter] = [:]
    private let readBytes: Counter
    private let writtenBytes: Counter
    private let inFlight: Gauge
    private let poolFree: Gauge
    private let poolWaiting: Gauge
    private let cqOverflows: Counter
    private let enterCalls: Counter
    private let submittedSQEs: Counter
    private var published = RingCounts()

    /// Latency buckets: upper bounds of 1 µs × 2^i for i in 0..<21 (1 µs … ~1 s), then +Inf.
    static let latencyBuckets = 22
    private var latencies: [Int]
    private var publishedLatencies: [Int]
    private var latencySum = 0, publishedLatencySum = 0
    private let latencyBucketCounters: [Counter]
    private let latencyCount: Counter
    private let latencySumCounter: Counter

    /// The ring's own counts, sampled at publication.
    struct RingCounts {
        var overflows = 0
        var enterCalls = 0
        var submitted = 0
    }

    /// Creates the counters and gauges (at start-up, on the loop thread) and says which backend is in use.
    init(_ metrics: RingExecutorConfiguration.Metrics, backend: Capabilities.Backend, loop: Int?, now: UInt64) {
        self.metrics = metrics
        self.interval = UInt64(max(1, metrics.interval.components.seconds * 1_000_000_000 + metrics.interval.components.attoseconds / 1_000_000_000))
        let factory = metrics.factory ?? MetricsSystem.factory
        var base = metrics.dimensions
        if let loop { base.append(("loop", "\(loop)")) }
        let label = metrics.label
        operations = Array(repeating: 0, count: Self.kinds.count * 2)
        publishedOperations = operations
        errnos = Array(repeating: 0, count: Self.errnoLimit + 1)
        publishedErrnos = errnos
        operationCounters = Self.kinds.flatMap { kind in
            ["ok", "error"].map { result in
                Counter(label: label + "_operations_total", dimensions: base + [("op", kind), ("result", result)], factory: factory)
            }
        }
        readBytes = Counter(label: label + "_read_bytes_total", dimensions: base, factory: factory)
        writtenBytes = Counter(label: label + "_written_bytes_total", dimensions: base, factory: factory)
        inFlight = Gauge(label: label + "_in_flight", dimensions: base, factory: factory)
        poolFree = Gauge(label: label + "_pool_free_buffers", dimensions: base, factory: factory)
        poolWaiting = Gauge(label: label + "_pool_waiting", dimensions: base, factory: factory)
        cqOverflows = Counter(label: label + "_cq_overflows_total", dimensions: base, factory: factory)
        enterCalls = Counter(label: label + "_enter_calls_total", dimensions: base, factory: factory)
        submittedSQEs = Counter(label: label + "_submitted_sqes_total", dimensions: base, factory: factory)
        latencies = Array(repeating: 0, count: Self.latencyBuckets)
        publishedLatencies = latencies
        latencyBucketCounters = (0..<Self.latencyBuckets).map { bucket in
            let bound = bucket == Self.latencyBuckets - 1 ? "+Inf" : "\(Double(1 << bucket) / 1e6)"
            return Counter(label: label + "_io_latency_seconds_bucket", dimensions: base + [("le", bound)], factory: factory)
        }
        latencyCount = Counter(label: label + "_io_latency_seconds_count", dimensions: base, factory: factory)
        latencySumCounter = Counter(label: label + "_io_latency_nanoseconds_total", dimensions: base, factory: factory)
        Gauge(label: label + "_backend", dimensions: base + [("backend", backend == .ioUring ? "io_uring" : "thread_pool")], factory: factory)
            .record(1)
        nextPublication = now + interval
        self.factory = factory
        self.base = base
    }

    private let factory: any MetricsFactory
    private let base: [(String, String)]

    /// The dimension index of a request's kind.
    @inline(__always)
    static func index(of kind: IORequest.Kind) -> Int {
        switch kind {
        case .nop: 0
        case .read: 1
        case .write: 2
        case .readVectored: 3
        case .writeVectored: 4
        case .open: 5
        case .close: 6
        case .status: 7
        case .sync: 8
        case .allocate: 9
        case .truncate: 10
        case .unlink: 11
        case .rename: 12
        case .makeDirectory: 13
        }
    }

    /// Counts one completed operation (loop thread).
    @inline(__always)
    func record(kind: Int, result: Int32) {
        if result >= 0 {
            operations[kind * 2] += 1
            switch kind {
            case 1, 3: bytesRead += Int(result)
            case 2, 4: bytesWritten += Int(result)
            default: break
            }
        } else {
            operations[kind * 2 + 1] += 1
            errnos[min(Int(-result), Self.errnoLimit)] += 1
        }
    }

    /// Counts one operation's latency into its bucket (loop thread).
    @inline(__always)
    func recordLatency(nanoseconds: UInt64) {
        let microseconds = nanoseconds / 1000
        // Bucket i holds latencies up to 2^i µs: the bit length of (µs - 1), capped at +Inf.
        let bucket = microseconds <= 1 ? 0 : min(Self.latencyBuckets - 1, 64 - (microseconds - 1).leadingZeroBitCount)
        latencies[bucket] += 1
        latencySum &+= Int(truncatingIfNeeded: nanoseconds)
    }

    /// Whether the interval has passed since the last publication.
    @inline(__always)
    func isDue(_ now: UInt64) -> Bool { now >= nextPublication }

    /// Hands what was counted since the last publication to the backend, and samples the gauges.
    func publish(now: UInt64, inFlight armed: Int, poolFree free: Int, poolWaiting waiting: Int, ring: RingCounts) {
        nextPublication = now + interval
        for index in operations.indices where operations[index] != publishedOperations[index] {
            operationCounters[index].increment(by: Int64(operations[index] - publishedOperations[index]))
            publishedOperations[index] = operations[index]
        }
        for code in errnos.indices where errnos[code] != publishedErrnos[code] {
            let counter = errnoCounters[code] ?? {
                let name = code == Self.errnoLimit ? "other" : RingIOError.Errno(rawValue: Int32(code)).symbolicName
                let made = Counter(label: metrics.label + "_errors_total", dimensions: base + [("errno", name)], factory: factory)
                errnoCounters[code] = made
                return made
            }()
            counter.increment(by: Int64(errnos[code] - publishedErrnos[code]))
            publishedErrnos[code] = errnos[code]
        }
        if bytesRead != publishedBytesRead { readBytes.increment(by: Int64(bytesRead - publishedBytesRead)); publishedBytesRead = bytesRead }
        if bytesWritten != publishedBytesWritten {
            writtenBytes.increment(by: Int64(bytesWritten - publishedBytesWritten))
            publishedBytesWritten = bytesWritten
        }
        if ring.overflows != published.overflows { cqOverflows.increment(by: Int64(ring.overflows - published.overflows)) }
        if ring.enterCalls != published.enterCalls { enterCalls.increment(by: Int64(ring.enterCalls - published.enterCalls)) }
        if ring.submitted != published.submitted { submittedSQEs.increment(by: Int64(ring.submitted - published.submitted)) }
        published = ring
        // Cumulative buckets (Prometheus style): bucket i counts every latency up to its bound.
        var cumulative = 0, publishedCumulative = 0
        for bucket in 0..<Self.latencyBuckets {
            cumulative += latencies[bucket]
            publishedCumulative += publishedLatencies[bucket]
            if cumulative != publishedCumulative { latencyBucketCounters[bucket].increment(by: Int64(cumulative - publishedCumulative)) }
            // Element by element: assigning the array would share its storage, and the next
            // record would copy it (an allocation on the I/O path).
            publishedLatencies[bucket] = latencies[bucket]
        }
        if cumulative != publishedCumulative { latencyCount.increment(by: Int64(cumulative - publishedCumulative)) }
        if latencySum != publishedLatencySum { latencySumCounter.increment(by: Int64(latencySum &- publishedLatencySum)); publishedLatencySum = latencySum }
        inFlight.record(armed)
        poolFree.record(free)
        poolWaiting.record(waiting)
    }
}
