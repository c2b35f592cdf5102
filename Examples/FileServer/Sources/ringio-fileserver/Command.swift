// ringio-fileserver: serves a directory over HTTP/1.1, reading files through RingIO (io_uring with
// registered buffers) or, for comparison, NIOFileSystem.
//
//   ringio-fileserver --root DIR [--host 127.0.0.1] [--port 8080] [--backend ringio|nio]
import ArgumentParser
import FileServer
import FileServerCore
import Glibc
import Logging

extension BackendKind: ExpressibleByArgument {}
extension RingAffinity: ExpressibleByArgument {}
extension ResponderKind: ExpressibleByArgument {}

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringio-fileserver",
        abstract: "Serve a directory over HTTP, reading files through RingIO's registered buffers.",
        discussion: """
            Prints "listening on http://HOST:PORT" once bound (use --port 0 for a free port). \
            Stops gracefully on SIGINT or SIGTERM.
            """)

    @Option(help: "The directory to serve.")
    var root: String

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "Where file bytes come from: ringio (io_uring, READ_FIXED) or nio (NIOFileSystem).")
    var backend = BackendKind.ringio

    @Option(help: "What answers requests: custom (this example's responder) or file-middleware (Hummingbird's FileMiddleware, on RingFileProvider with --backend ringio, on its stock LocalFileSystem with --backend nio).")
    var responder = ResponderKind.custom

    @Option(help: "Bytes per read and per written chunk; also RingIO's buffer size.")
    var chunkSize = 64 << 10

    @Option(help: "RingIO's registered buffers.")
    var buffers = 64

    @Option(help: "Reads in flight ahead of the socket for streamed bodies (RingIO).")
    var readAhead = 2

    @Option(help: "RingIO: where request code runs: call (hop per RingIO call), request (handler and body on the ring thread), server (all of Hummingbird's tasks on the ring thread), global (with --loops: the group as Swift's global executor, every task on a loop).")
    var affinity = RingAffinity.request

    @Option(help: "RingIO: serve from a RingExecutorGroup of this many loops, one ring each, sharing the pool (0: one per CPU); without it, one RingExecutor.")
    var loops: Int?

    @Option(help: "Answer GET of this path with counters as JSON (open files, pool); off when not given.")
    var statsPath: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "notice"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard chunkSize >= 4096, chunkSize <= 16 << 20 else { throw ValidationError("--chunk-size must be 4096 ... 16777216") }
        guard buffers >= 1, buffers <= 16384 else { throw ValidationError("--buffers must be 1 ... 16384") }
        guard readAhead >= 1, readAhead <= 64 else { throw ValidationError("--read-ahead must be 1 ... 64") }
        if let loops, !(0...1024).contains(loops) { throw ValidationError("--loops must be 0 ... 1024") }
        if affinity == .global && loops == nil { throw ValidationError("--affinity global needs --loops (the group it installs as the global executor)") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        if let statsPath, !statsPath.hasPrefix("/") { throw ValidationError("--stats-path must start with '/'") }
    }

    func run() async throws {
        let options = ServerOptions(
            root: root, host: host, port: port, backend: backend, responder: responder,
            stream: StreamSettings(chunkSize: chunkSize, bufferCount: buffers, readAhead: readAhead, affinity: affinity, loops: loops),
            statsPath: statsPath, logLevel: Logger.Level(rawValue: logLevel) ?? .notice)
        do {
            try await FileServer.run(options)
        } catch {
            let message = "ringio-fileserver: \(error)\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            throw ExitCode.failure
        }
    }
}
