#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Monotonic clock in nanoseconds (vDSO `clock_gettime`, no allocation).
@inline(__always)
public func nanosecondsNow() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// The measured window of one run: every worker works from launch, but only operations that
/// start inside `[start, end)` count, and workers stop issuing new ones at `end`.
public struct Window: Sendable {
    public let start: UInt64
    public let end: UInt64

    /// A window that opens `warmup` seconds from now and lasts `seconds`.
    public init(warmup: Double, seconds: Double) {
        let now = nanosecondsNow()
        start = now &+ UInt64(warmup * 1e9)
        end = start &+ UInt64(seconds * 1e9)
    }

    public var seconds: Double { Double(end - start) / 1e9 }
}
