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
        var ringService: RingService?
        switch options.backend {
        case .ringio:
            let ring = try await RingService.start(rootPath: rootPath, settings: options.stream, stats: stats, logger: logger)
            logger.info("RingIO executor ready", metadata: ["setup": "\(ring.setup)"])
            backend = ring.backend
            ringService = ring
            if options.stream.affinity == .server { preference = ring.taskExecutor }
        case .nio:
            backend = NIOFileBackend(rootPath: rootPath, settings: options.stream, stats: stats)
        }
        do {
            switch options.responder {
            case .custom:
                let responder = FileResponder(
                    backend: backend, chunkSize: options.stream.chunkSize, statsPath: options.statsPath, stats: stats)
                try await serve(responder, options, logger: logger, preferring: preference)
            case .fileMiddleware:
                let router = Router()
                if let ringService {
                    // Hummingbird's stock FileMiddleware, its file I/O on RingIO.
                    let provider = try await ringService.fileProvider(rootPath: rootPath)
                    if options.stream.affinity == .request {
                        router.add(middleware: PreferenceMiddleware(executor: ringService.taskExecutor))
                    }
                    router.add(middleware: FileMiddleware(fileProvider: provider))
                    do {
                        try await serve(router.buildResponder(), options, backendName: "ringio", logger: logger, preferring: preference)
                    } catch {
                        await provider.close()
                        throw error
                    }
                    await provider.close()
                } else {
                    // The stock FileMiddleware as Hummingbird ships it: LocalFileSystem, NIOFileSystem.
                    router.add(middleware: FileMiddleware(rootPath, threadPool: .singleton, logger: logger))
                    try await serve(router.buildResponder(), options, backendName: "nio", logger: logger, preferring: nil)
                }
            }
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
        try await serve(responder, options, backendName: responder.backend.name, logger: logger, preferring: executor)
    }

    /// Runs `responder` as a Hummingbird application until graceful shutdown; prints the bound
    /// address once listening.
    static func serve<Responder: HTTPResponder>(
        _ responder: Responder, _ options: ServerOptions, backendName: String, logger: Logger,
        preferring executor: (any TaskExecutor)?
    ) async throws where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let host = options.host
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                print("listening on http://\(shownHost):\(port) (backend \(backendName), responder \(options.responder.rawValue))")
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

/// Runs the rest of the middleware chain, and so `FileMiddleware`'s file I/O, under a task
/// executor preference (`--affinity request` with `--responder file-middleware`): one hop onto
/// the ring per request instead of one per RingIO call.
struct PreferenceMiddleware<Context: RequestContext>: RouterMiddleware {
    let executor: any TaskExecutor

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(executor) { @concurrent in try await next(request, context) }
    }
}
