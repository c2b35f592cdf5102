import Foundation
import Glibc
import Testing

/// ringcp --direct: O_DIRECT on both files, unaligned tails padded and cut with ftruncate.
@Suite("ringcp --direct", .enabled(if: TestConditions.directIOWorks, "the file system under /var/tmp does not accept O_DIRECT"))
struct RingCPDirectTests {
    @Test("copies byte for byte with O_DIRECT", arguments: CopyCase.all)
    func copiesByteForByte(_ copy: CopyCase) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let source = scratch.makeFile("source.bin", count: copy.size, seed: UInt64(copy.size) + 1, mode: copy.mode)
        let destination = scratch.path("copy.bin")
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), copy.options + ["--direct", "--quiet", source, destination])
        CopyChecks.expectQuietSuccess(output)
        try CopyChecks.expectIdentical(source, destination)
        #expect(scratch.listing() == ["copy.bin", "source.bin"], "a temporary file was left behind")
    }

    @Test("a sparse file copies byte for byte with O_DIRECT", arguments: [true, false])
    func sparseFile(endsWithData: Bool) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (source, _) = try CopyChecks.makeSparseFile(in: scratch, endsWithData: endsWithData)
        let destination = scratch.path("copy.bin")
        let output = try ToolRunner.run(ToolRunner.path(of: "ringcp"), ["--direct", "--quiet", source, destination])
        CopyChecks.expectQuietSuccess(output)
        try CopyChecks.expectIdentical(source, destination)
    }
}
