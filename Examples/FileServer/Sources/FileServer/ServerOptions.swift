import FileServerCore
import Logging

/// Which file backend serves the bytes (`--backend`).
public enum BackendKind: String, Sendable, CaseIterable {
    /// RingIO: io_uring with registered buffers (READ_FIXED).
    case ringio
    /// NIOFileSystem: blocking system calls on NIO's thread pool.
    case nio
}

/// What answers the requests (`--responder`).
public enum ResponderKind: String, Sendable, CaseIterable {
    /// This example's `FileResponder` over the backend (read-ahead, one-buffer small bodies, stats).
    case custom
    /// Hummingbird's stock `FileMiddleware`: with `--backend ringio` through `RingFileProvider`
    /// (RingIO), with `--backend nio` through Hummingbird's own `LocalFileSystem` (NIOFileSystem).
    case fileMiddleware = "file-middleware"
}

/// Everything the server is started with (the command line, parsed).
public struct ServerOptions: Sendable {
    /// The directory to serve.
    public var root: String
    public var host: String
    /// 0 picks a free port; the bound address is printed either way.
    public var port: Int
    public var backend: BackendKind
    public var responder: ResponderKind
    public var stream: StreamSettings
    /// If set, GET of this exact path answers counters as JSON (for tests); off by default.
    public var statsPath: String?
    public var logLevel: Logger.Level

    public init(root: String, host: String = "127.0.0.1", port: Int = 8080, backend: BackendKind = .ringio,
                responder: ResponderKind = .custom, stream: StreamSettings = StreamSettings(), statsPath: String? = nil,
                logLevel: Logger.Level = .notice) {
        self.root = root
        self.host = host
        self.port = port
        self.backend = backend
        self.responder = responder
        self.stream = stream
        self.statsPath = statsPath
        self.logLevel = logLevel
    }
}
