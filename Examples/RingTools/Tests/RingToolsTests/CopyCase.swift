import Glibc
import Testing

/// One file ringcp must copy byte for byte: its size, mode and the options to copy it with.
struct CopyCase: Sendable, CustomTestStringConvertible {
    /// Size of the source in bytes.
    let size: Int
    /// Permission bits of the source.
    let mode: mode_t
    /// Extra ringcp options.
    let options: [String]
    /// What the case is about.
    let label: String

    var testDescription: String { "\(label) (\(size) bytes, mode \(String(mode, radix: 8)), \(options.joined(separator: " ")))" }

    /// Files around the edges of the pipeline: empty, one byte, a size that is not a multiple of
    /// the buffer size, more than the whole pool (count × size), and the default settings.
    static let all: [CopyCase] = [
        CopyCase(size: 0, mode: 0o644, options: [], label: "empty file"),
        CopyCase(size: 1, mode: 0o600, options: [], label: "one byte"),
        CopyCase(size: 3 * 65536 + 4097, mode: 0o751, options: ["--buffer-size", "64K"], label: "not a multiple of the buffer size"),
        CopyCase(size: 3 * 4 * 65536 + 5, mode: 0o640, options: ["--buffer-size", "64K", "--buffers", "4"], label: "three times the whole pool"),
        CopyCase(size: 1 << 20, mode: 0o755, options: ["--buffer-size", "4K", "--buffers", "2", "--in-flight", "1"], label: "one chunk in flight"),
        CopyCase(size: (5 << 20) + 7, mode: 0o4755, options: [], label: "default pool, set-user-ID bit"),
    ]
}

/// Checks shared by the copy tests.
enum CopyChecks {
    /// Expects `destination` to equal `source` per cmp(1) and to have the same permission bits.
    static func expectIdentical(_ source: String, _ destination: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let compare = try ToolRunner.run("/usr/bin/cmp", [source, destination])
        #expect(compare.status == 0, "cmp \(source) \(destination): \(compare.stdoutText)\(compare.stderrText)", sourceLocation: sourceLocation)
        #expect(FileFacts.mode(destination) == FileFacts.mode(source), "mode bits differ", sourceLocation: sourceLocation)
    }

    /// Expects ringcp to have succeeded quietly.
    static func expectQuietSuccess(_ output: ToolOutput, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status == 0, "ringcp failed: \(output.stderrText)", sourceLocation: sourceLocation)
        #expect(output.stderr.isEmpty, "unexpected stderr: \(output.stderrText)", sourceLocation: sourceLocation)
        #expect(output.stdout.isEmpty, "--quiet printed: \(output.stdoutText)", sourceLocation: sourceLocation)
    }

    /// Makes a 64 MiB sparse file: `truncate -s`, then a few writes at scattered offsets.
    ///
    /// - Parameters:
    ///   - scratch: where to put it.
    ///   - endsWithData: write the last 10 bytes too; otherwise the file ends in a 24 MiB hole.
    /// - Returns: the file's path and size.
    static func makeSparseFile(in scratch: Scratch, endsWithData: Bool, name: String = "sparse.bin") throws -> (String, Int64) {
        let path = scratch.path(name)
        let size: Int64 = 64 << 20
        let made = try ToolRunner.run("/usr/bin/truncate", ["-s", String(size), path])
        try #require(made.status == 0, "truncate failed: \(made.stderrText)")
        try scratch.pwrite(Scratch.bytes(count: 1000, seed: 7), at: 0, into: path)
        try scratch.pwrite(Scratch.bytes(count: 70_000, seed: 8), at: (5 << 20) + 3, into: path)
        try scratch.pwrite(Scratch.bytes(count: 4096, seed: 9), at: 40 << 20, into: path)
        if endsWithData {
            try scratch.pwrite(Scratch.bytes(count: 10, seed: 10), at: size - 10, into: path)
        }
        try #require(chmod(path, 0o604) == 0, "chmod failed: errno \(errno)")
        try #require(FileFacts.size(path) == size, "the sparse file is not \(size) bytes")
        return (path, size)
    }
}
