import CRingIO
import Glibc
@testable import RingIO
import Testing

/// Deterministic test data.
extension Support {
    /// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        var result = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            result[index] = UInt8(truncatingIfNeeded: state)
        }
        return result
    }
}
