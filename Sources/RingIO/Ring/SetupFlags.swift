internal import CRingIO

/// The io_uring setup flags a ring was created with.
public struct SetupFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// IORING_SETUP_SINGLE_ISSUER: only the loop thread submits (kernel 6.0+).
    public static let singleIssuer = SetupFlags(rawValue: UInt32(IORING_SETUP_SINGLE_ISSUER))
    /// IORING_SETUP_DEFER_TASKRUN: completion work runs when the loop asks for events (kernel 6.1+).
    public static let deferTaskrun = SetupFlags(rawValue: UInt32(IORING_SETUP_DEFER_TASKRUN))
    /// IORING_SETUP_COOP_TASKRUN: no IPI to interrupt the loop for completion work (kernel 5.19+).
    public static let coopTaskrun = SetupFlags(rawValue: UInt32(IORING_SETUP_COOP_TASKRUN))
    /// IORING_SETUP_SUBMIT_ALL: keep submitting a batch past an SQE that fails early (kernel 5.18+).
    public static let submitAll = SetupFlags(rawValue: UInt32(IORING_SETUP_SUBMIT_ALL))

    /// Tried first: the fastest setup for one thread that owns the ring.
    public static let preferred: SetupFlags = [.singleIssuer, .deferTaskrun, .coopTaskrun, .submitAll]

    /// What is tried, in order, when the kernel refuses a set with EINVAL.
    static let fallbackChain: [SetupFlags] = [
        .preferred,
        [.singleIssuer, .coopTaskrun, .submitAll],
        [.coopTaskrun, .submitAll],
        [],
    ]

    public var description: String {
        var names: [String] = []
        if contains(.singleIssuer) { names.append("SINGLE_ISSUER") }
        if contains(.deferTaskrun) { names.append("DEFER_TASKRUN") }
        if contains(.coopTaskrun) { names.append("COOP_TASKRUN") }
        if contains(.submitAll) { names.append("SUBMIT_ALL") }
        return names.isEmpty ? "[plain]" : "[" + names.joined(separator: ", ") + "]"
    }
}
