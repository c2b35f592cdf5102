import Foundation

/// Runs a program to completion and captures its output (for curl, cmp, mkfifo…).
struct CommandResult {
    var status: Int32
    var stdout: Data
    var stderr: Data

    var output: String { String(decoding: stdout, as: UTF8.self) }
    var errorOutput: String { String(decoding: stderr, as: UTF8.self) }
}

/// Errors of the end-to-end harness itself (not of the server under test).
struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// Finds `name` on PATH.
func executablePath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs `program` (a path, or a name looked up on PATH) with `arguments` and waits for it.
///
/// Output goes through temporary files, so a large output cannot fill a pipe and stall.
func runCommand(_ program: String, _ arguments: [String]) throws -> CommandResult {
    guard let path = program.hasPrefix("/") ? program : executablePath(program) else {
        throw HarnessError(description: "\(program) is not installed (test.sh installs curl with apt-get)")
    }
    let directory = FileManager.default.temporaryDirectory
    let outURL = directory.appendingPathComponent("fs-test-\(UUID().uuidString).out")
    let errURL = directory.appendingPathComponent("fs-test-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: (try? Data(contentsOf: outURL)) ?? Data(),
                         stderr: (try? Data(contentsOf: errURL)) ?? Data())
}
