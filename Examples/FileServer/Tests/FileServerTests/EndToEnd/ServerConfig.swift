import Testing

/// The server variants the end-to-end tests run against.
enum ServerConfig: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// RingIO, default affinity (handler and body on the ring thread).
    case ringio
    /// RingIO, every call hopping to the ring thread by itself.
    case ringioCall = "ringio-affinity-call"
    /// RingIO, the whole Hummingbird application preferring the ring executor.
    case ringioServer = "ringio-affinity-server"
    /// RingIO on a group of two loops sharing one pool (`--loops 2`).
    case ringioGroup = "ringio-loops-2"
    /// RingIO's group of two loops installed as Swift's global executor (`--affinity global`).
    case ringioGlobal = "ringio-global-2"
    /// NIOFileSystem.
    case nio

    var arguments: [String] {
        switch self {
        case .ringio: return ["--backend", "ringio"]
        case .ringioCall: return ["--backend", "ringio", "--affinity", "call"]
        case .ringioServer: return ["--backend", "ringio", "--affinity", "server"]
        case .ringioGroup: return ["--backend", "ringio", "--loops", "2"]
        case .ringioGlobal: return ["--backend", "ringio", "--loops", "2", "--affinity", "global"]
        case .nio: return ["--backend", "nio"]
        }
    }

    var isRing: Bool { self != .nio }

    var testDescription: String { rawValue }

    /// The two backends with default settings, and RingIO on a group of loops, plain and as the
    /// global executor.
    static let backends: [ServerConfig] = [.ringio, .ringioGroup, .ringioGlobal, .nio]
}
