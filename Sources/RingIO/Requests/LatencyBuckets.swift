/// The buckets RingIO counts durations in (I/O latency, lease waits): bucket i holds durations
/// up to 1 µs × 2^i for i in 0..<21 (1 µs … about 1 s); the last holds the rest (+Inf).
enum LatencyBuckets {
    /// The number of buckets, +Inf included.
    static let count = 22

    /// The bucket of a duration.
    @inline(__always)
    static func index(nanoseconds: UInt64) -> Int {
        let microseconds = nanoseconds / 1000
        // The bit length of (µs - 1), capped at +Inf.
        return microseconds <= 1 ? 0 : min(count - 1, 64 - (microseconds - 1).leadingZeroBitCount)
    }

    /// The upper bound of bucket `index` in seconds, as a Prometheus `le` label.
    static func bound(_ index: Int) -> String {
        index == count - 1 ? "+Inf" : "\(Double(1 << index) / 1e6)"
    }
}
