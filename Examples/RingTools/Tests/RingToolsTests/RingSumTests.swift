import Foundation
import Testing

/// ringsum against coreutils' sha256sum on the same inputs.
@Suite("ringsum")
struct RingSumTests {
    @Test("single files match sha256sum", arguments: [0, 1, 3, 1000, 65536, 262_144, (5 << 20) + 12345])
    func singleFile(_ size: Int) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("f.bin", count: size, seed: UInt64(size) + 11)
        let output = try SumComparison.expectSameAsSha256sum(["f.bin"], in: scratch.directory)
        #expect(output.status == 0)
        #expect(output.stdout.count == 64 + 2 + 5 + 1)
    }

    @Test("twenty files at once, in order, with absolute paths")
    func manyFiles() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = (0..<20).map { index in
            scratch.makeFile("file-\(index).dat", count: index * 37_001 + (index % 3) * 262_144, seed: UInt64(index))
        }
        let output = try SumComparison.expectSameAsSha256sum(names, in: scratch.directory)
        #expect(output.stdoutText.split(separator: "\n").count == 20)
    }

    @Test("- reads stdin from a pipe; no argument means stdin too; - mixes with files")
    func standardInput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let data = Scratch.bytes(count: (3 << 20) + 1, seed: 42)
        scratch.makeFile("a.txt", count: 10)
        try SumComparison.expectSameAsSha256sum(["-"], in: scratch.directory, stdin: data)
        try SumComparison.expectSameAsSha256sum([], in: scratch.directory, stdin: data)
        try SumComparison.expectSameAsSha256sum(["a.txt", "-", "a.txt"], in: scratch.directory, stdin: Array(data.prefix(1000)))
        try SumComparison.expectSameAsSha256sum(["-"], in: scratch.directory, stdin: [])
    }

    @Test("a missing file among existing ones: same stdout, exit 1, the name on stderr")
    func missingFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("one", count: 100)
        scratch.makeFile("three", count: 300_000)
        let output = try SumComparison.expectSameAsSha256sum(["one", "two-is-missing", "three"], in: scratch.directory)
        #expect(output.status == 1)
        #expect(output.stderrText.contains("two-is-missing"))
        #expect(output.stderrText.contains("No such file or directory"))
    }

    @Test("a directory is reported as sha256sum reports it (Is a directory)")
    func directory() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path("sub"), withIntermediateDirectories: false)
        scratch.makeFile("after", count: 5)
        let output = try SumComparison.expectSameAsSha256sum(["sub", "after"], in: scratch.directory)
        #expect(output.stderrText.contains("Is a directory"))
    }

    @Test("names with a backslash or newline are escaped like sha256sum does")
    func escapedNames() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = ["back\\slash", "new\nline", "both\\and\n", "plain name", "it's"]
        for (index, name) in names.enumerated() {
            scratch.makeFile(name, count: 100 * index + 1, seed: UInt64(index))
        }
        let output = try SumComparison.expectSameAsSha256sum(names, in: scratch.directory)
        #expect(output.stdout.first == UInt8(ascii: "\\"), "an escaped line starts with a backslash")
    }

    @Test("a carriage return in a name is escaped as \\r like sha256sum does (coreutils 9 and later)",
          .enabled(if: (TestConditions.coreutilsMajorVersion ?? 0) >= 9,
                   "sha256sum is coreutils \(TestConditions.coreutilsMajorVersion.map(String.init) ?? "of unknown version"), which does not escape \\r (added in 9.0)"))
    func carriageReturnName() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = ["carriage\rreturn", "cr\r\\and backslash\n"]
        for (index, name) in names.enumerated() {
            scratch.makeFile(name, count: 1000 + index, seed: UInt64(index) + 50)
        }
        let output = try SumComparison.expectSameAsSha256sum(names, in: scratch.directory)
        #expect(output.stdoutText.contains("  carriage\\rreturn\n"), "stdout: \(output.stdoutText)")
    }

    @Test("a name that is not valid UTF-8 is opened and printed byte for byte")
    func nonUTF8Name() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let made = try ToolRunner.run("/bin/bash", ["-c", "head -c 70000 /dev/zero > $'f\\xff.bin'"], in: scratch.directory)
        try #require(made.status == 0, "could not create the file: \(made.stderrText)")
        let output = try SumComparison.expectSameAsSha256sum(bashWords: "$'f\\xff.bin' $'gone\\xfe'", in: scratch.directory)
        #expect(output.stdout.contains(0xFF), "the raw byte is printed as it is")
    }

    @Test("error messages quote odd names exactly like sha256sum")
    func quotedMissingNames() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = ["a b", "new\nline", "back\\slash", "it's", "co:lon", "tab\there", "$dollar", "~tilde", "x=y", ""]
        try SumComparison.expectSameAsSha256sum(missing, in: scratch.directory)
    }

    @Test("stdin that is a regular file: read from its current offset, left at its end (- - and a shared offset)")
    func standardInputRegularFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("big.bin", count: (3 << 20) + 12345, seed: 5)
        scratch.makeFile("a.txt", count: 10)
        let snippets = [
            "SUM - < big.bin",
            "SUM < big.bin",
            "SUM - - < big.bin",  // the second - is at end of file: the empty file's checksum
            "SUM a.txt - a.txt - < big.bin",
            "(head -c 100 >/dev/null; SUM -) < big.bin",  // starts at offset 100, not 0
            "(head -c 100 >/dev/null; SUM - -) < big.bin",
            "(SUM -; SUM -) < big.bin",  // the first run must leave the shared offset at the end
            "(head -c 300001 >/dev/null; SUM -b -; head -c 1 | wc -c) < big.bin",
        ]
        for snippet in snippets {
            try SumComparison.expectSameAsSha256sum(shell: snippet, in: scratch.directory)
        }
    }

    @Test("-b/--binary prints '*' before the name and -t/--text the space, like sha256sum; the last one wins")
    func binaryAndTextModes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("f", count: 70_000, seed: 3)
        scratch.makeFile("back\\slash", count: 5, seed: 4)
        scratch.makeFile("new\nline", count: 6, seed: 5)
        let cases: [[String]] = [
            ["-b", "f"], ["--binary", "f", "back\\slash", "new\nline"], ["-t", "f"], ["--text", "f"], ["-bt", "f"], ["-tb", "f"],
            ["--bin", "f"], ["--te", "f"], ["f", "-b"], ["-b", "-t", "f"], ["-b", "-", "f"], ["-b"], ["-b", "missing", "f"],
        ]
        for arguments in cases {
            try SumComparison.expectSameAsSha256sum(arguments, in: scratch.directory, stdin: Array("piped".utf8))
        }
        let binary = try ToolRunner.run(ToolRunner.path(of: "ringsum"), ["-b", "f"], in: scratch.directory)
        #expect(binary.stdoutText.hasSuffix(" *f\n"), "stdout: \(binary.stdoutText)")
    }

    @Test("--help exits 0; an unknown option fails like sha256sum's")
    func options() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let help = try ToolRunner.run(ToolRunner.path(of: "ringsum"), ["--help"])
        #expect(help.status == 0 && help.stdoutText.contains("Usage: ringsum"))
        try SumComparison.expectSameAsSha256sum(["--bogus"], in: scratch.directory)
        try SumComparison.expectSameAsSha256sum(["-Q"], in: scratch.directory)
        scratch.makeFile("-dash", count: 9)
        try SumComparison.expectSameAsSha256sum(["--", "-dash"], in: scratch.directory)
    }

    @Test("--help anywhere among the arguments prints the help and exits 0, as sha256sum does")
    func helpAnywhere() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("f", count: 10)
        for arguments in [["--help"], ["f", "--help"], ["--help", "--bogus"], ["-b", "--he"], ["missing", "--hel", "-Q"], ["-c", "--help"]] {
            let ours = try ToolRunner.run(ToolRunner.path(of: "ringsum"), arguments, in: scratch.directory)
            let reference = try ToolRunner.run(SumComparison.sha256sum, arguments, in: scratch.directory)
            #expect(reference.status == 0, "\(arguments): sha256sum itself exits \(reference.status)")
            #expect(ours.status == 0, "\(arguments): exit status \(ours.status), stderr: \(ours.stderrText)")
            #expect(ours.stdoutText.hasPrefix("Usage: ringsum [OPTION]... [FILE]...\n"), "\(arguments): stdout: \(ours.stdoutText)")
            #expect(ours.stderr.isEmpty, "\(arguments): stderr: \(ours.stderrText)")
        }
        let version = try ToolRunner.run(ToolRunner.path(of: "ringsum"), ["f", "--version"], in: scratch.directory)
        #expect(version.status == 0 && version.stdoutText.hasPrefix("ringsum "), "stdout: \(version.stdoutText)")
    }

    @Test("option errors match sha256sum's: unknown, ambiguous, with an argument, only meaningful with -c")
    func optionErrors() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("f", count: 10)
        let cases: [[String]] = [
            ["--bogus"], ["--bogus=3", "f"], ["--bogus", "--help"], ["-Q", "--help"], ["-bQ", "f"], ["f", "-x"],
            ["--binary=1", "f"], ["--help=x"], ["--he=x"], ["--version=2"],
            ["--t", "f"], ["--s", "f"], ["--st", "f"], ["--=x", "f"],
            ["--quiet", "f"], ["--q", "f"], ["--status", "f"], ["-w", "f"], ["--warn", "f"], ["--strict", "f"],
            ["--ignore-missing", "f"], ["--strict", "--quiet", "-w", "--status", "--ignore-missing", "f"],
        ]
        for arguments in cases {
            try SumComparison.expectSameAsSha256sum(arguments, in: scratch.directory)
        }
    }

    @Test("-c/--check, --tag and -z/--zero are refused with a clear message (exit 1, nothing on stdout)")
    func unsupportedOptions() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("f", count: 10)
        let cases: [(arguments: [String], option: String)] = [
            (["-c", "f"], "--check"), (["--check", "f"], "--check"), (["--ch", "f"], "--check"), (["-bc", "f"], "--check"),
            (["-c", "--quiet", "f"], "--check"), (["--tag", "f"], "--tag"), (["-z", "f"], "--zero"), (["--zero", "f"], "--zero"),
        ]
        for (arguments, option) in cases {
            let output = try ToolRunner.run(ToolRunner.path(of: "ringsum"), arguments, in: scratch.directory)
            #expect(output.status == 1, "\(arguments): exit status \(output.status)")
            #expect(output.stdout.isEmpty, "\(arguments): stdout: \(output.stdoutText)")
            #expect(output.stderrText.hasPrefix("ringsum: \(option)") && output.stderrText.contains("not supported"),
                    "\(arguments): stderr: \(output.stderrText)")
            #expect(output.stderrText.hasSuffix("Try 'ringsum --help' for more information.\n"), "\(arguments): stderr: \(output.stderrText)")
        }
    }

    @Test("a stdout that cannot be written (full, closed) and a closed stdin are reported like sha256sum does")
    func outputAndInputErrors() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        scratch.makeFile("f.bin", count: 300_000, seed: 8)
        let snippets = [
            "SUM f.bin > /dev/full",
            "SUM f.bin nope f.bin > /dev/full",  // the missing file is still reported, then the write error
            "SUM -b f.bin - < f.bin > /dev/full",
            "SUM f.bin nope >&-",
            "SUM nope >&-",  // nothing written: no write error
            "SUM --help > /dev/full",
            "SUM --help >&-",
            "SUM - <&-",
            "SUM <&-",
            "SUM f.bin - - f.bin <&-",
        ]
        for snippet in snippets {
            try SumComparison.expectSameAsSha256sum(shell: snippet, in: scratch.directory)
        }
    }
}
