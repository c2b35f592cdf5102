/// How long leases waited for a buffer: counts per `LatencyBuckets` bucket and the total, kept
/// in the pool's locked state (recorded on the slow path only: a lease that found no free buffer
/// at once; the fast paths record nothing).
struct LeaseWaits {
    /// Waits per bucket; storage made once, at the pool's creation.
    private(set) var buckets: [Int] = Array(repeating: 0, count: LatencyBuckets.count)
    /// Every wait's nanoseconds, added up (wrapping).
    private(set) var nanoseconds = 0

    /// Counts one wait.
    mutating func record(nanoseconds duration: UInt64) {
        buckets[LatencyBuckets.index(nanoseconds: duration)] += 1
        nanoseconds &+= Int(truncatingIfNeeded: duration)
    }
}
