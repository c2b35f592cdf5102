import FileServerCore
import Glibc
import Hummingbird
import Logging
import NIOBackend
import RingBackend

/// Starts the server and runs it until SIGINT or SIGTERM.
public enum FileServer {
    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the server with `options` until SIGINT/SIGTERM, then shuts down gracefully (open
    /// responses finish, the RingIO executor is shut down last).
    ///
    /// Prints `listening on http://HOST:PORT` on standard output once the socket is bound.
    ///
    /// - Throws: `StartError` for a root that is not a directory; RingIO's setup errors (they say
    ///   what to change: memlock limit, io_uring disabled…); Hummingbird's bind errors.
    public static func run(_ options: ServerOptions) async throws {
        var logger = Logger(label: "ringio-fileserver")
        logger.logLevel = options.logLevel
        guard let rootPath = Containment.realPath(options.root) else {
            throw StartError(description: "The root '\(options.root)' does not exist")
        }
        var rootStatus = stat()
        guard stat(rootPath, &rootStatus) == 0, rootStatus.st_mode & S_IFMT == S_IFDIR else {
            throw StartError(description: "The root '\(options.root)' is not a directory")
        }
        let stats = ServerStats()
        let backend: any FileBackend
        var preference: (any TaskExecutor)?
        switch options.backend {
        case .ringio:
            let ring = try await RingService.start(rootPath: rootPath, settings: options.stream, stats: stats, logger: logger)
            logger.info("RingIO executor ready", metadata: ["setup": "\(ring.setup)"])
            backend = ring.backend
            if options.stream.affinity == .server { preference = ring.taskExecutor }
        case .nio:
            backend = NIOFileBackend(rootPath: rootPath, settings: options.stream, stats: stats)
        }
        let responder = FileResponder(
            backend: backend, chunkSize: options.stream.chunkSize, statsPath: options.statsPath, stats: stats)
        do {
            try await serve(responder, options, logger: logger, preferring: preference)
        } catch {
            await backend.shutdown()
            throw error
        }
        await backend.shutdown()  // RingIO: closes the root and shuts the executor down
        logger.info("shut down", metadata: ["backend": "\(backend.name)"])
    }

    /// Runs the Hummingbird application; with an executor, the whole application prefers it.
    static func serve(
        _ responder: FileResponder, _ options: ServerOptions, logger: Logger, preferring executor: (any TaskExecutor)?
    ) async throws {
        let host = options.host
        let backendName = responder.backend.name
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                print("listening on http://\(shownHost):\(port) (backend \(backendName))")
                fflush(nil)  // all streams: the tests read this line through a pipe
            },
            logger: logger
        )
        if let executor {
            try await withTaskExecutorPreference(executor) { @concurrent in try await app.runService() }
        } else {
            try await app.runService()
        }
    }
}
