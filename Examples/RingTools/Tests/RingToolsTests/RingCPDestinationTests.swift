import Foundation
import Glibc
import Testing

/// DST that is not a plain file: a symbolic link is written through (the link stays, its target
/// gets the copy, as cp does), and a FIFO, socket or device node is refused and left alone.
@Suite("ringcp destinations that are links or special files")
struct RingCPDestinationTests {
    /// Where the link sits, where its target sits, and what is passed as DST.
    enum LinkLayout: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// `dst.bin -> target.bin`, both in one directory; DST is the link.
        case sameDirectory
        /// `links/dst.bin -> ../data/target.bin`; DST is the link.
        case otherDirectory
        /// `into/source.bin -> ../data/target.bin`; DST is the directory `into`, so the link is the
        /// name the copy gets there.
        case insideDestinationDirectory
        /// `dst.bin -> /abs/hop.bin -> data/target.bin`: a chain of two links.
        case chainOfLinks

        var testDescription: String { rawValue }
    }

    @Test("a DST that is a symbolic link keeps the link; its target gets SRC's bytes", arguments: LinkLayout.allCases)
    func writesThroughSymbolicLink(_ layout: LinkLayout) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: 200_001, seed: 21, mode: 0o640)
        for directory in ["links", "data", "into"] {
            try FileManager.default.createDirectory(atPath: scratch.path(directory), withIntermediateDirectories: false)
        }
        let target = scratch.makeFile("data/target.bin", count: 1 << 20, seed: 22, mode: 0o666)
        let link: String
        let linkText: String
        let destinationArgument: String
        switch layout {
        case .sameDirectory:
            scratch.makeFile("target.bin", count: 1 << 20, seed: 22)
            (link, linkText) = (scratch.path("dst.bin"), "target.bin")
            destinationArgument = link
        case .otherDirectory:
            (link, linkText) = (scratch.path("links/dst.bin"), "../data/target.bin")
            destinationArgument = link
        case .insideDestinationDirectory:
            (link, linkText) = (scratch.path("into/source.bin"), "../data/target.bin")
            destinationArgument = scratch.path("into")
        case .chainOfLinks:
            try FileManager.default.createSymbolicLink(atPath: scratch.path("hop.bin"), withDestinationPath: "data/target.bin")
            (link, linkText) = (scratch.path("dst.bin"), scratch.path("hop.bin"))
            destinationArgument = link
        }
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: linkText)
        let realTarget = layout == .sameDirectory ? scratch.path("target.bin") : target

        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--quiet", source, destinationArgument], timeout: 60)
        CopyChecks.expectQuietSuccess(output)
        #expect(FileFacts.type(link) == S_IFLNK, "the link was replaced")
        #expect(FileFacts.linkTarget(link) == linkText, "the link changed")
        #expect(FileFacts.type(realTarget) == S_IFREG)
        try CopyChecks.expectIdentical(source, realTarget)
        for directory in [nil, "links", "data", "into"] {
            #expect(!scratch.listing(directory).contains { $0.contains(".ringcp-") }, "a temporary file was left in \(directory ?? ".")")
        }
    }

    @Test("the temporary file is made next to the link's target (another file system), not next to the link",
          .enabled(if: TestConditions.otherFileSystem != nil, "no second file system (/dev/shm) beside /var/tmp"))
    func temporaryFileNextToTarget() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let elsewhere = try Scratch(under: try #require(TestConditions.otherFileSystem))
        defer { elsewhere.remove() }
        let source = scratch.makeFile("source.bin", count: 300_000, seed: 31)
        let target = elsewhere.makeFile("target.bin", count: 10, seed: 32)
        let link = scratch.path("dst.bin")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        // A temporary file next to the link could not be renamed over the target (EXDEV).
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--quiet", source, link], timeout: 60)
        CopyChecks.expectQuietSuccess(output)
        #expect(FileFacts.linkTarget(link) == target, "the link was replaced or changed")
        try CopyChecks.expectIdentical(source, target)
        #expect(scratch.listing() == ["dst.bin", "source.bin"])
        #expect(elsewhere.listing() == ["target.bin"])
    }

    @Test("a DST that is a dangling symbolic link is refused, like cp; nothing is created")
    func danglingLink() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: 5000)
        let link = scratch.path("dst.bin")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "missing.bin")
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--quiet", source, link], timeout: 60)
        #expect(output.status == 1, "exit status \(output.status): \(output.stderrText)")
        #expect(output.stderrText.contains("dangling"), "stderr: \(output.stderrText)")
        #expect(output.stderrText.contains(link), "stderr does not name the link: \(output.stderrText)")
        #expect(FileFacts.linkTarget(link) == "missing.bin")
        #expect(scratch.listing() == ["dst.bin", "source.bin"])
    }

    /// The special files a test can make without privileges.
    enum SpecialKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case fifo, socket, linkToFIFO

        var testDescription: String { rawValue }

        /// What ringcp's message must call the file.
        var word: String { self == .socket ? "socket" : "FIFO" }
    }

    @Test("a DST that is a FIFO or socket is refused: exit 1, it stays as it was, nothing is created",
          arguments: SpecialKind.allCases)
    func specialDestination(_ kind: SpecialKind) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: 70_000)
        let node = scratch.path("node")
        switch kind {
        case .fifo:
            try #require(mkfifo(node, 0o644) == 0, "mkfifo failed: errno \(errno)")
        case .socket:
            try SpecialFiles.makeSocket(node)
        case .linkToFIFO:
            try #require(mkfifo(scratch.path("fifo"), 0o644) == 0, "mkfifo failed: errno \(errno)")
            try FileManager.default.createSymbolicLink(atPath: node, withDestinationPath: "fifo")
        }
        let typeBefore = FileFacts.type(node)
        let before = scratch.listing()
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--quiet", source, node], timeout: 60)
        #expect(!output.timedOut, "ringcp hung")
        #expect(output.status == 1, "exit status \(output.status): \(output.stderrText)")
        #expect(output.stderrText.contains(kind.word), "stderr: \(output.stderrText)")
        #expect(output.stderrText.contains("regular file"), "stderr: \(output.stderrText)")
        #expect(FileFacts.type(node) == typeBefore, "the destination was replaced")
        if kind == .linkToFIFO {
            #expect(FileFacts.type(scratch.path("fifo")) == S_IFIFO, "the FIFO was replaced")
        }
        #expect(scratch.listing() == before, "created: \(scratch.listing())")
    }

    @Test("a DST that is a character device is refused and stays a device",
          .enabled(if: TestConditions.mknodProblem == nil, "\(TestConditions.mknodProblem ?? "")"))
    func characterDeviceDestination() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: 4096)
        let device = scratch.path("null")
        try #require(mknod(device, S_IFCHR | 0o666, TestConditions.nullDevice) == 0, "mknod failed: errno \(errno)")
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--quiet", source, device], timeout: 60)
        #expect(output.status == 1, "exit status \(output.status): \(output.stderrText)")
        #expect(output.stderrText.contains("character device"), "stderr: \(output.stderrText)")
        #expect(FileFacts.type(device) == S_IFCHR, "the device node was replaced")
        #expect(scratch.listing() == ["null", "source.bin"])
    }
}

/// Making special files for the tests.
enum SpecialFiles {
    /// Creates a UNIX domain socket file at `path` (bind(2); the socket is closed again, the file stays).
    ///
    /// - Throws: `POSIXError` when socket(2) or bind(2) fails, or the path is too long.
    static func makeSocket(_ path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw POSIXError(.ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
