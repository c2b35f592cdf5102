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

    /// Operation latencies per `LatencyBuckets` bucket, and their sum.
    private var latencies: [Int]
    private var latencySum = 0
    private let latencyCounters: HistogramCounters
    /// Lease waits, read from the pool at publication (only the loop that publishes the pool's figures).
    private var leaseWaits: [Int]
    private let leaseWaitCounters: HistogramCounters?

    /// The ring's own counts, sampled at publication.
    struct RingCounts {
        var overflows = 0
        var enterCalls = 0
        var submitted = 0
    }

    /// Creates the counters and gauges (at start-up, on the loop thread) and says which backend is in use.
    ///
    /// - Parameter loop: the loop's index in its group, or nil for a lone executor; the lone
    ///   executor and loop 0 also publish the pool's lease waits (one pool, counted once).
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
        latencies = Array(repeating: 0, count: LatencyBuckets.count)
        latencyCounters = HistogramCounters(label: label + "_io_latency", dimensions: base, factory: factory)
        leaseWaits = Array(repeating: 0, count: LatencyBuckets.count)
        leaseWaitCounters = loop == nil || loop == 0
            ? HistogramCounters(label: label + "_lease_wait", dimensions: metrics.dimensions, factory: factory) : nil
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
        latencies[LatencyBuckets.index(nanoseconds: nanoseconds)] += 1
        latencySum &+= Int(truncatingIfNeeded: nanoseconds)
    }

    /// Whether the interval has passed since the last publication.
    @inline(__always)
    func isDue(_ now: UInt64) -> Bool { now >= nextPublication }

    /// Hands what was counted since the last publication to the backend, and samples the gauges.
    func publish(now: UInt64, inFlight armed: Int, pool: BufferPool, ring: RingCounts) {
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
        latencyCounters.publish(latencies, sum: latencySum)
        if let leaseWaitCounters {
            let waited = pool.copyLeaseWaits(into: &leaseWaits)
            leaseWaitCounters.publish(leaseWaits, sum: waited)
        }
        inFlight.record(armed)
        poolFree.record(pool.available)
        poolWaiting.record(pool.waitingCount)
    }
}

/// The counters of one duration histogram, Prometheus style: `LABEL_seconds_bucket{le}`
/// (cumulative), `LABEL_seconds_count` and `LABEL_nanoseconds_total`; publishing hands over what
/// was counted since the last publication, allocating nothing.
final class HistogramCounters {
    private let buckets: [Counter]
    private let count: Counter
    private let sum: Counter
    private var published: [Int]
    private var publishedSum = 0

    init(label: String, dimensions: [(String, String)], factory: any MetricsFactory) {
        buckets = (0..<LatencyBuckets.count).map { bucket in
            Counter(label: label + "_seconds_bucket", dimensions: dimensions + [("le", LatencyBuckets.bound(bucket))], factory: factory)
        }
        count = Counter(label: label + "_seconds_count", dimensions: dimensions, factory: factory)
        sum = Counter(label: label + "_nanoseconds_total", dimensions: dimensions, factory: factory)
        published = Array(repeating: 0, count: LatencyBuckets.count)
    }

    /// Increments the counters by what `counts` and `total` gained since the last call.
    func publish(_ counts: [Int], sum total: Int) {
        var cumulative = 0, publishedCumulative = 0
        for bucket in 0..<LatencyBuckets.count {
            cumulative += counts[bucket]
            publishedCumulative += published[bucket]
            if cumulative != publishedCumulative { buckets[bucket].increment(by: Int64(cumulative - publishedCumulative)) }
            // Element by element: assigning the array would share its storage, and the next
            // record would copy it (an allocation on the I/O path).
            published[bucket] = counts[bucket]
        }
        if cumulative != publishedCumulative { count.increment(by: Int64(cumulative - publishedCumulative)) }
        if total != publishedSum { sum.increment(by: Int64(total &- publishedSum)); publishedSum = total }
    }
}
