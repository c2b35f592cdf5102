/// How `sqe->user_data` is laid out: the in-flight slot's index in the low 32 bits and the slot's
/// generation in the high 32, so a late cancel can never hit the slot's next occupant.
enum UserData {
    /// The completion of the executor's own eventfd read (its wake-up channel).
    static let wake: UInt64 = .max
    /// The completion of an IORING_OP_ASYNC_CANCEL; its result is not needed.
    static let cancel: UInt64 = .max - 1
    /// The completion of an IORING_OP_LINK_TIMEOUT; the linked operation reports the outcome.
    static let linkTimeout: UInt64 = .max - 2
    /// The CQE a wake-up message from another loop posts (IORING_OP_MSG_RING); nothing to do.
    static let message: UInt64 = .max - 3
    /// High half of a failed wake-up message's own CQE; the low half is the target loop's index.
    private static let messageFailedHigh: UInt64 = 0xFFFF_FFFE
    /// Generations stay below this so tagged values never collide with a slot's user_data.
    static let generationLimit: UInt32 = .max - 2

    /// The sender's `user_data` of a wake-up message to loop `index`: its CQE comes back only on failure.
    @inline(__always)
    static func messageFailed(toLoop index: Int) -> UInt64 {
        messageFailedHigh << 32 | UInt64(UInt32(truncatingIfNeeded: index))
    }

    /// The target loop's index when `userData` is a failed wake-up message's, else nil.
    @inline(__always)
    static func failedMessageTarget(_ userData: UInt64) -> Int? {
        userData >> 32 == messageFailedHigh ? Int(userData & 0xFFFF_FFFF) : nil
    }

    @inline(__always)
    static func make(slot: UInt32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(slot)
    }

    @inline(__always)
    static func slot(of userData: UInt64) -> Int { Int(truncatingIfNeeded: userData & 0xFFFF_FFFF) }

    @inline(__always)
    static func generation(of userData: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: userData >> 32) }
}
