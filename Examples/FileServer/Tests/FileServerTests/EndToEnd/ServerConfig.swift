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
    /// Hummingbird's stock FileMiddleware on `RingFileProvider` (RingIO), the app on the ring.
    case ringioMiddleware = "ringio-file-middleware"
    /// The same with a per-request preference (`PreferenceMiddleware`) and a group of two loops.
    case ringioMiddlewareGroup = "ringio-file-middleware-loops-2"
    /// Hummingbird's stock FileMiddleware as shipped (LocalFileSystem, NIOFileSystem).
    case nioMiddleware = "nio-file-middleware"

    var arguments: [String] {
        switch self {
        case .ringio: return ["--backend", "ringio"]
        case .ringioCall: return ["--backend", "ringio", "--affinity", "call"]
        case .ringioServer: return ["--backend", "ringio", "--affinity", "server"]
        case .ringioGroup: return ["--backend", "ringio", "--loops", "2"]
        case .ringioGlobal: return ["--backend", "ringio", "--loops", "2", "--affinity", "global"]
        case .nio: return ["--backend", "nio"]
        case .ringioMiddleware: return ["--backend", "ringio", "--responder", "file-middleware", "--affinity", "server"]
        case .ringioMiddlewareGroup: return ["--backend", "ringio", "--responder", "file-middleware", "--loops", "2"]
        case .nioMiddleware: return ["--backend", "nio", "--responder", "file-middleware"]
        }
    }

    var isRing: Bool { self != .nio && self != .nioMiddleware }

    /// This example's own responder (with `/_stats`), not Hummingbird's FileMiddleware.
    var isCustomResponder: Bool { ![.ringioMiddleware, .ringioMiddlewareGroup, .nioMiddleware].contains(self) }

    var testDescription: String { rawValue }

    /// The two backends with default settings, and RingIO on a group of loops, plain and as the
    /// global executor.
    static let backends: [ServerConfig] = [.ringio, .ringioGroup, .ringioGlobal, .nio]

    /// Every variant of this example's own responder (the FileMiddleware variants have their own tests).
    static let responders: [ServerConfig] = allCases.filter(\.isCustomResponder)

    /// Hummingbird's FileMiddleware on RingIO and as shipped.
    static let fileMiddleware: [ServerConfig] = [.ringioMiddleware, .ringioMiddlewareGroup, .nioMiddleware]
}
