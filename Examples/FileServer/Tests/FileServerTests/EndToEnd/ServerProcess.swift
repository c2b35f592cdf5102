import Foundation

/// The real `ringio-fileserver` binary, started on a free loopback port for one test.
final class ServerProcess {
    let process = Process()
    let port: Int
    let url: String
    private let outputPipe = Pipe()
    private let errorFile: URL

    /// The binary: `$RINGIO_FILESERVER_BIN`, or `ringio-fileserver` next to the test bundle
    /// (`swift build` puts both in `.build/debug`).
    static func binaryPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["RINGIO_FILESERVER_BIN"] { return path }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = exe.deletingLastPathComponent()
        // Inside an .xctest bundle directory on some layouts: walk up until the binary is found.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("ringio-fileserver").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw HarnessError(description: "ringio-fileserver not found next to \(exe.path); run `swift build` first or set RINGIO_FILESERVER_BIN")
    }

    /// Starts the server and waits (up to 30 s) for its `listening on http://127.0.0.1:PORT` line.
    ///
    /// - Parameters:
    ///   - root: the directory to serve.
    ///   - arguments: extra options (`--backend nio`, `--affinity call`…).
    init(root: URL, arguments: [String]) throws {
        errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("fs-server-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        process.arguments = ["--root", root.path, "--host", "127.0.0.1", "--port", "0",
                             "--stats-path", "/_stats"] + arguments
        process.standardOutput = outputPipe
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()

        var collected = ""
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while found == nil {
            let chunk = outputPipe.fileHandleForReading.availableData  // blocks until data or EOF
            if chunk.isEmpty || Date() > deadline { break }
            collected += String(decoding: chunk, as: UTF8.self)
            if let range = collected.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                found = Int(collected[range].split(separator: ":").last ?? "")
            }
        }
        guard let port = found else {
            process.terminate()
            process.waitUntilExit()
            let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw HarnessError(description: "the server did not report its address; stdout: \(collected) stderr: \(errors)")
        }
        self.port = port
        self.url = "http://127.0.0.1:\(port)"
    }

    /// The number of open descriptors of the server process (from /proc/PID/fd).
    var openDescriptorCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1
    }

    /// Sends SIGTERM and waits for a graceful exit.
    ///
    /// - Returns: the exit status (0 after a clean shutdown) and what the server wrote to stderr.
    func stop() -> (status: Int32, stderr: String) {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: errorFile)
        return (process.terminationStatus, errors)
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
