import Foundation
import Glibc
import Testing

/// ringcp's successful copies, checked with cmp(1) and stat(2).
@Suite("ringcp copies")
struct RingCPTests {
    @Test("copies byte for byte and keeps the mode", arguments: CopyCase.all)
    func copiesByteForByte(_ copy: CopyCase) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: copy.size, seed: UInt64(copy.size), mode: copy.mode)
        let destination = scratch.path("copy.bin")
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), copy.options + ["--quiet", source, destination])
        CopyChecks.expectQuietSuccess(output)
        try CopyChecks.expectIdentical(source, destination)
        #expect(scratch.listing() == ["copy.bin", "source.bin"], "a temporary file was left behind")
    }

    @Test("a sparse file copies byte for byte, and its holes stay holes", arguments: [true, false])
    func sparseFile(endsWithData: Bool) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (source, size) = try CopyChecks.makeSparseFile(in: scratch, endsWithData: endsWithData)
        let destination = scratch.path("copy.bin")
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--quiet", source, destination])
        CopyChecks.expectQuietSuccess(output)
        try CopyChecks.expectIdentical(source, destination)
        // Documented: holes of a buffer size or more are kept where the file system reports them.
        if let allocated = FileFacts.allocatedBytes(source), allocated < size / 4 {
            let copied = try #require(FileFacts.allocatedBytes(destination))
            #expect(copied < size / 4, "the copy allocated \(copied) of \(size) bytes: holes became data")
        }
    }

    @Test("DST that is a directory receives SRC under its own name, like cp")
    func copiesIntoDirectory() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("data.bin", count: 100_000, mode: 0o640)
        try FileManager.default.createDirectory(atPath: scratch.path("into"), withIntermediateDirectories: false)
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["-q", source, scratch.path("into")])
        CopyChecks.expectQuietSuccess(output)
        try CopyChecks.expectIdentical(source, scratch.path("into/data.bin"))
        #expect(scratch.listing("into") == ["data.bin"])
    }

    @Test("an existing destination file is replaced whole")
    func replacesExistingFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("small.bin", count: 10, mode: 0o600)
        let destination = scratch.makeFile("big.bin", count: 1 << 20, seed: 3, mode: 0o666)
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--quiet", source, destination])
        CopyChecks.expectQuietSuccess(output)
        try CopyChecks.expectIdentical(source, destination)
    }

    @Test("prints a summary line on stdout, and no progress bar when stderr is not a terminal")
    func summaryLine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("s.bin", count: 3_000_000)
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), [source, scratch.path("d.bin")])
        #expect(output.status == 0, "\(output.stderrText)")
        #expect(output.stderr.isEmpty, "stderr is a file here, so no progress bar: \(output.stderrText)")
        let summary = output.stdoutText
        #expect(summary.contains("3000000 bytes"), "summary: \(summary)")
        #expect(summary.contains(" s, ") && summary.contains("GB/s"), "summary: \(summary)")
        #expect(summary.hasSuffix("\n") && summary.filter { $0 == "\n" }.count == 1, "one line: \(summary)")
    }

    @Test("draws a progress bar when stderr is a terminal (under script(1))",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) is not installed"))
    func progressBarOnTerminal() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("s.bin", count: 2 << 20)
        let command = "'\(ToolRunner.path(of: "ringcp"))' --buffer-size 4K --buffers 1 '\(source)' '\(scratch.path("d.bin"))'"
        let output = try ToolRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(output.status == 0, "\(output.stdoutText)")
        #expect(output.stdoutText.contains("\r[") && output.stdoutText.contains("100%"), "no bar: \(output.stdoutText)")
        try CopyChecks.expectIdentical(source, scratch.path("d.bin"))
    }

    @Test("--help describes the options and exits 0; bad values are refused")
    func commandLine() throws {
        let help = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--help"])
        #expect(help.status == 0)
        for option in ["--buffer-size", "--buffers", "--in-flight", "--direct", "--quiet"] {
            #expect(help.stdoutText.contains(option), "--help lacks \(option)")
        }
        for bad in [["--buffer-size", "1000", "a", "b"], ["--buffers", "0", "a", "b"], ["--buffers", "2", "--in-flight", "3", "a", "b"], ["only-one"]] {
            let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), bad)
            #expect(output.status != 0, "accepted \(bad)")
            #expect(!output.stderr.isEmpty, "no message for \(bad)")
        }
    }

    @Test("a pool over 1 GiB in total (--buffers × --buffer-size) is refused, naming the limit")
    func bufferMemoryCap() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("s.bin", count: 1000)
        let tooLarge = [["--buffers", "1024", "--buffer-size", "64M"], ["--buffers", "17", "--buffer-size", "64M"],
                        ["--buffers", "1024", "--buffer-size", "1028K"]]
        for options in tooLarge {
            let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), options + ["--quiet", source, scratch.path("d.bin")], timeout: 60)
            #expect(output.status == 64, "\(options): exit status \(output.status), stderr: \(output.stderrText)")
            #expect(output.stderrText.contains("1 GiB"), "\(options): the limit is not named: \(output.stderrText)")
            #expect(scratch.listing() == ["s.bin"], "\(options): created \(scratch.listing())")
        }
    }
}
