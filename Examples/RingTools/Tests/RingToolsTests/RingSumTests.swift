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

    @Test("names with a backslash, newline or carriage return are escaped like sha256sum does")
    func escapedNames() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = ["back\\slash", "new\nline", "carriage\rreturn", "both\\and\n", "plain name", "it's"]
        for (index, name) in names.enumerated() {
            scratch.makeFile(name, count: 100 * index + 1, seed: UInt64(index))
        }
        let output = try SumComparison.expectSameAsSha256sum(names, in: scratch.directory)
        #expect(output.stdout.first == UInt8(ascii: "\\"), "an escaped line starts with a backslash")
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
}
