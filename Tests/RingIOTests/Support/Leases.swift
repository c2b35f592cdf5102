import CRingIO
import Glibc
@testable import RingIO
import Testing

/// Optional leases.
extension Support {
    /// Whether an optional lease holds one (dropping it, which returns it to the pool).
    static func isPresent(_ lease: consuming BufferLease?) -> Bool {
        switch consume lease {
        case .some: return true
        case .none: return false
        }
    }

    /// The capacity of an optional lease, without consuming it.
    static func capacity(of lease: borrowing BufferLease?) -> Int? {
        switch lease {
        case .some(let held): return held.capacity
        case .none: return nil
        }
    }
}
