import RingIO

/// The runtime's own costs, without file I/O: what the benchmarks `NopRoundTrip` and
/// `LeaseAndReturn` measure.
public enum MicroWorkload {
    /// `count` IORING_OP_NOP round trips, one at a time, from the calling task (run it inside
    /// `executor.run { }`): submit, reap, resume — the overhead RingIO adds to every operation.
    ///
    /// - Parameters:
    ///   - executor: the executor whose ring runs the NOPs.
    ///   - count: round trips in the measured window.
    ///   - measurementStarted: called after 16 unmeasured warm-up round trips.
    ///   - measurementStopped: called right after the last round trip.
    public static func nops(
        on executor: RingExecutor,
        count: Int,
        measurementStarted: () -> Void,
        measurementStopped: () -> Void
    ) async throws {
        for _ in 0..<16 { try await executor.nop() }
        measurementStarted()
        for _ in 0..<count { try await executor.nop() }
        measurementStopped()
    }

    /// `count` times: lease a buffer from the pool (`lease()`, the async path that would wait)
    /// and give it back.
    ///
    /// - Parameters:
    ///   - executor: owns the pool.
    ///   - count: lease/return pairs in the measured window.
    ///   - measurementStarted: called after 16 unmeasured pairs.
    ///   - measurementStopped: called right after the last pair.
    public static func leases(
        on executor: RingExecutor,
        count: Int,
        measurementStarted: () -> Void,
        measurementStopped: () -> Void
    ) async throws {
        for _ in 0..<16 {
            let lease = try await executor.buffers.lease()
            _ = consume lease
        }
        measurementStarted()
        var total = 0
        for _ in 0..<count {
            let lease = try await executor.buffers.lease()
            total &+= lease.capacity
            _ = consume lease
        }
        measurementStopped()
        precondition(total > 0)
    }
}
