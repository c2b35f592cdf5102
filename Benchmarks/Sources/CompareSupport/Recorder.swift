import Histogram

/// What one worker measured: operations, bytes and a latency histogram (hdrhistogram-swift).
/// Each worker has its own; they are merged when the run ends, so recording takes no lock.
public struct Recorder: Sendable {
    public private(set) var operations = 0
    public private(set) var bytes = 0
    public private(set) var latency: Histogram<UInt64>

    public init() {
        // 1 ns to 100 s at three significant digits.
        latency = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Counts one operation of `bytes` bytes that took `nanoseconds`.
    @inline(__always)
    public mutating func record(nanoseconds: UInt64, bytes count: Int) {
        operations &+= 1
        bytes &+= count
        _ = latency.record(max(1, nanoseconds))
    }

    /// Adds another worker's figures to these.
    public mutating func merge(_ other: Recorder) {
        operations += other.operations
        bytes += other.bytes
        latency.add(other.latency)
    }
}
