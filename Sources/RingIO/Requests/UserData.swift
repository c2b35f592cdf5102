/// How `sqe->user_data` is laid out: the in-flight slot's index in the low 32 bits and the slot's
/// generation in the high 32, so a late cancel can never hit the slot's next occupant.
enum UserData {
    /// The completion of the executor's own eventfd read (its wake-up channel).
    static let wake: UInt64 = .max
    /// The completion of an IORING_OP_ASYNC_CANCEL; its result is not needed.
    static let cancel: UInt64 = .max - 1
    /// The completion of an IORING_OP_LINK_TIMEOUT; the linked operation reports the outcome.
    static let linkTimeout: UInt64 = .max - 2
    /// Generations stay below this so tagged values never collide with a slot's user_data.
    static let generationLimit: UInt32 = .max - 2

    @inline(__always)
    static func make(slot: UInt32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(slot)
    }

    @inline(__always)
    static func slot(of userData: UInt64) -> Int { Int(truncatingIfNeeded: userData & 0xFFFF_FFFF) }

    @inline(__always)
    static func generation(of userData: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: userData >> 32) }
}
