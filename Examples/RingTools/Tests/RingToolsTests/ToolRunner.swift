import Foundation
import Glibc

/// What a finished process left behind.
struct ToolOutput: Sendable {
    /// The exit status (or 128 + signal number when it was killed by a signal).
    let status: Int32
    /// Everything it wrote to stdout, byte for byte.
    let stdout: [UInt8]
    /// Everything it wrote to stderr, byte for byte.
    let stderr: [UInt8]
    /// Whether it was still running after the runner's timeout and was killed (SIGKILL).
    var timedOut = false

    /// stderr decoded as UTF-8 (invalid bytes repaired), for `contains` checks and failure messages.
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// stdout decoded as UTF-8.
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Finds the built tools and runs programs (ours and the reference ones) with Foundation `Process`.
enum ToolRunner {
    /// The directory holding the built `ringcp` and `ringsum`, or nil with `binDirectoryProblem` set.
    ///
    /// Looked up in order: `$RINGTOOLS_BIN_DIR`; the directory of this test executable (SwiftPM
    /// puts the test bundle next to the products); `swift build --show-bin-path` in the package.
    static let binDirectory: String? = {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["RINGTOOLS_BIN_DIR"] {
            candidates.append(fromEnvironment)
        }
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((executable as NSString).deletingLastPathComponent)
        }
        for directory in candidates where hasTools(directory) {
            return directory
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        if let output = try? run("/usr/bin/env", ["swift", "build", "--show-bin-path"], in: packageRoot),
           output.status == 0 {
            let directory = output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            if hasTools(directory) { return directory }
        }
        return nil
    }()

    /// Why the tools were not found, for the failing expectation.
    static let binDirectoryProblem = "ringcp/ringsum not found next to the test executable nor in `swift build --show-bin-path`; run `swift build` first or set RINGTOOLS_BIN_DIR"

    private static func hasTools(_ directory: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: directory + "/ringcp")
            && FileManager.default.isExecutableFile(atPath: directory + "/ringsum")
    }

    /// The full path of a built tool.
    ///
    /// - Parameter tool: "ringcp" or "ringsum".
    /// - Returns: its path, or a path that does not exist when the tools were not found.
    static func path(of tool: String) -> String {
        (binDirectory ?? "/nonexistent") + "/" + tool
    }

    /// Runs `executable` with `arguments` and waits for it.
    ///
    /// stdout and stderr go to files (no pipe can fill up and stall the child); stdin is
    /// /dev/null, or a pipe fed with `stdin` from another thread. LC_ALL=C, so the reference tools'
    /// messages and quoting do not depend on the machine's locale. A process still running after
    /// `timeout` seconds is killed with SIGKILL and reported with `timedOut` set (status 137), so a
    /// tool that hangs fails its test instead of stalling the whole run.
    ///
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - arguments: its arguments.
    ///   - directory: its working directory; default the current one.
    ///   - stdin: bytes to pipe into it, or nil for /dev/null.
    ///   - timeout: seconds to wait before killing it.
    /// - Returns: exit status, stdout and stderr.
    /// - Throws: if the process cannot be started or its output read back.
    static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, stdin: [UInt8]? = nil,
        timeout: Double = defaultTimeout
    ) throws -> ToolOutput {
        _ = ignoreSIGPIPE
        let scratch = try Scratch()
        defer { scratch.remove() }
        let outPath = scratch.path("stdout")
        let errPath = scratch.path("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        // Feed the pipe from another thread: it holds 64 KiB, the data may be megabytes.
        let fed = DispatchSemaphore(value: 0)
        if let input, let stdin {
            let writer = input.fileHandleForWriting
            DispatchQueue.global().async {
                try? writer.write(contentsOf: Data(stdin))  // EPIPE (SIGPIPE is ignored) if it stops reading
                try? writer.close()
                fed.signal()
            }
            try? input.fileHandleForReading.close()
        } else {
            fed.signal()
        }
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            killTree(process.processIdentifier)
        }
        process.waitUntilExit()
        fed.wait()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ToolOutput(
            status: status,
            stdout: [UInt8](try Data(contentsOf: URL(fileURLWithPath: outPath))),
            stderr: [UInt8](try Data(contentsOf: URL(fileURLWithPath: errPath))),
            timedOut: timedOut)
    }

    /// How long `run` waits by default before killing a process: generous for the multi-MiB
    /// copies on a busy machine, short enough that a hang is reported.
    static let defaultTimeout: Double = 300

    /// Kills `pid` and every process descending from it (found through the parent pids in
    /// /proc/PID/stat) with SIGKILL, so a tool hanging below `bash -c` does not outlive its test.
    private static func killTree(_ pid: pid_t) {
        var children: [pid_t: [pid_t]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = pid_t(entry),
                  let line = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let nameEnd = line.lastIndex(of: ")")  // "PID (name) STATE PPID …"; the name may hold anything
            else { continue }
            let fields = line[line.index(after: nameEnd)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) {
                children[parent, default: []].append(child)
            }
        }
        var pending = [pid]
        while let next = pending.popLast() {
            kill(next, SIGKILL)
            pending += children[next] ?? []
        }
    }

    /// A child that stops reading stdin early must not kill the test process with SIGPIPE.
    private static let ignoreSIGPIPE: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()
}
