import Foundation
import Glibc
import Testing

/// ringcp's failures: a clear message naming the errno and path, a non-zero exit, and nothing
/// left under the final name or as a temporary file.
@Suite("ringcp failures")
struct RingCPFailureTests {
    @Test("a missing source: ENOENT with the path, exit 1, no destination")
    func missingSource() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = scratch.path("no-such-file.bin")
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), [missing, scratch.path("out.bin")])
        #expect(output.status != 0)
        #expect(output.stderrText.contains("ENOENT") || output.stderrText.contains("No such file"), "stderr: \(output.stderrText)")
        #expect(output.stderrText.contains(missing), "stderr does not name the path: \(output.stderrText)")
        #expect(output.stdout.isEmpty)
        #expect(scratch.listing().isEmpty, "something was created: \(scratch.listing())")
    }

    @Test("a destination below a regular file: ENOTDIR, exit 1, nothing created")
    func destinationUnderRegularFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: 5000)
        scratch.makeFile("plain", count: 3)
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), [source, scratch.path("plain/out.bin")])
        #expect(output.status != 0)
        #expect(output.stderrText.contains("ENOTDIR") || output.stderrText.contains("Not a directory"), "stderr: \(output.stderrText)")
        #expect(output.stderrText.contains("plain/out.bin"), "stderr does not name the path: \(output.stderrText)")
        #expect(scratch.listing() == ["plain", "source.bin"])
    }

    @Test("a source that is a directory is refused, and nothing is created")
    func directorySource() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path("dir"), withIntermediateDirectories: false)
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), [scratch.path("dir"), scratch.path("out")])
        #expect(output.status != 0)
        #expect(output.stderrText.contains("not a regular file"), "stderr: \(output.stderrText)")
        #expect(scratch.listing() == ["dir"])
    }

    @Test("copying a file onto itself is refused and leaves it intact")
    func sameFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("same.bin", count: 70_000)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), [source, scratch.directory])
        #expect(output.status != 0)
        #expect(output.stderrText.contains("same file"), "stderr: \(output.stderrText)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
        #expect(scratch.listing() == ["same.bin"])
    }

    @Test("an unwritable destination directory (as nobody): EACCES, exit 1, nothing created",
          .enabled(if: TestConditions.dropPrivilegesProblem == nil, "\(TestConditions.dropPrivilegesProblem ?? "")"))
    func unwritableDirectory() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: 100_000, mode: 0o644)
        let locked = scratch.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o555)
        defer { chmod(locked, 0o755) }
        let output = try ToolRunner.run("/usr/sbin/runuser", ["-u", "nobody", "--", ToolRunner.path(of: "ringcp"), source, locked + "/out.bin"])
        #expect(output.status != 0)
        #expect(output.stderrText.contains("EACCES") || output.stderrText.contains("Permission denied"), "stderr: \(output.stderrText)")
        #expect(output.stderrText.contains(locked), "stderr does not name the directory: \(output.stderrText)")
        #expect(scratch.listing("locked").isEmpty)
    }

    @Test("a source that is a FIFO (or a link to one) is refused at once, without waiting for a writer",
          arguments: [false, true])
    func fifoSource(throughLink: Bool) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fifo = scratch.path("fifo")
        try #require(mkfifo(fifo, 0o644) == 0, "mkfifo failed: errno \(errno)")
        var source = fifo
        if throughLink {
            source = scratch.path("link")
            try FileManager.default.createSymbolicLink(atPath: source, withDestinationPath: "fifo")
        }
        let before = scratch.listing()
        // Opening a FIFO for reading blocks until a writer comes; the timeout turns a hang into a failure.
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), [source, scratch.path("out.bin")], timeout: 30)
        #expect(!output.timedOut, "ringcp hung on the FIFO")
        #expect(output.status == 1, "exit status \(output.status): \(output.stderrText)")
        #expect(output.stderrText.contains("not a regular file") && output.stderrText.contains("FIFO"), "stderr: \(output.stderrText)")
        #expect(output.stderrText.contains(source), "stderr does not name the source: \(output.stderrText)")
        #expect(scratch.listing() == before, "created: \(scratch.listing())")
        #expect(FileFacts.type(fifo) == S_IFIFO)
    }

    @Test("a full device (1 MiB tmpfs, 4 MiB file): ENOSPC, exit 1, no file and no temporary file",
          .enabled(if: TestConditions.mountProblem == nil, "\(TestConditions.mountProblem ?? "")"))
    func fullDevice() throws {
        try expectFullDevice(options: [])
    }

    @Test("a full device with --direct (O_DIRECT on a 1 MiB tmpfs): ENOSPC, exit 1, nothing left",
          .enabled(if: TestConditions.tmpfsDirectIOProblem == nil, "\(TestConditions.tmpfsDirectIOProblem ?? "")"))
    func fullDeviceDirect() throws {
        try expectFullDevice(options: ["--direct"])
    }

    /// Copies a 4 MiB file onto a fresh 1 MiB tmpfs and expects ENOSPC with nothing left behind.
    private func expectFullDevice(options: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("big.bin", count: 4 << 20)
        let point = scratch.path("small")
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: false)
        let mounted = try ToolRunner.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", point])
        try #require(mounted.status == 0, "mount failed: \(mounted.stderrText)", sourceLocation: sourceLocation)
        defer { _ = try? ToolRunner.run("/usr/bin/umount", [point]) }
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), options + [source, point + "/big.bin"])
        #expect(output.status == 1, "exit status \(output.status)", sourceLocation: sourceLocation)
        #expect(output.stderrText.contains("ENOSPC") || output.stderrText.contains("No space left"), "stderr: \(output.stderrText)",
                sourceLocation: sourceLocation)
        #expect(output.stderrText.contains(point), "stderr does not name the destination: \(output.stderrText)", sourceLocation: sourceLocation)
        #expect(scratch.listing("small").isEmpty, "left behind: \(scratch.listing("small"))", sourceLocation: sourceLocation)
    }
}
