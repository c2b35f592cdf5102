import Glibc
import RingIO
import Testing

@Suite("O_DIRECT")
struct DirectIOTests {
    /// Whether the temp folder's file system takes O_DIRECT (if not, the tests are skipped).
    static let tempFolderTakesDirectIO: Bool = {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let fd = open(dir + "/probe", O_CREAT | O_RDWR | File.Options.direct.rawValue, 0o644)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }()

    @Test(.enabled(if: tempFolderTakesDirectIO, "the temp folder's file system does not take O_DIRECT"))
    func alignedDirectReadsMatchPwriteAndMisalignedOnesAreExplained() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let path = dir + "/direct.bin"
        let expected = Support.bytes(count: 1 << 20, seed: 91)
        Support.pwriteFile(path, expected)
        try await Support.withExecutor(count: 4, size: 64 << 10) { executor in
            try await executor.run {
                let file = try await File.open(path, options: .direct, on: executor)
                let alignment = try #require(file.directIOAlignment)
                #expect(alignment.offset > 0 && alignment.memory > 0)
                var lease = try await executor.buffers.lease()
                var random = SplitMix(seed: 9)
                for _ in 0..<50 {
                    let offset = Int(random.next() % 250) * 4096
                    #expect(try await file.read(into: &lease, range: 0..<4096, at: Int64(offset)) == 4096)
                    #expect(lease.bytes == Array(expected[offset..<(offset + 4096)]))
                }
                let badOffset = await #expect(throws: RingIOError.self) {
                    _ = try await file.read(into: &lease, range: 0..<4096, at: Int64(alignment.offset) / 2 + 1)
                }
                #expect(badOffset?.code == .invalidArgument)
                #expect(badOffset?.errno == .invalidArgument)
                #expect(badOffset?.description.contains("O_DIRECT") == true)
                #expect(badOffset?.description.contains("offset") == true)
                let badLength = await #expect(throws: RingIOError.self) {
                    _ = try await file.read(into: &lease, range: 0..<(alignment.offset + 1), at: 0)
                }
                #expect(badLength?.description.contains("length") == true)
                if alignment.memory > 1 {
                    let badAddress = await #expect(throws: RingIOError.self) {
                        _ = try await file.read(into: &lease, range: 1..<(1 + 4096), at: 0)
                    }
                    #expect(badAddress?.description.contains("buffer address") == true)
                }
                try await file.close()
            }
        }
    }

    @Test(.enabled(if: tempFolderTakesDirectIO, "the temp folder's file system does not take O_DIRECT"))
    func wholeFileHelpersHandleAnUnalignedEndOfFile() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let path = dir + "/direct-tail.bin"
        let expected = Support.bytes(count: (1 << 20) + 1000, seed: 93)
        Support.pwriteFile(path, expected)
        try await Support.withExecutor(count: 4, size: 64 << 10) { executor in
            try await executor.run {
                let file = try await File.open(path, options: .direct, on: executor)
                #expect(try await file.readToEnd(maximumSize: 2 << 20) == expected)
                var streamed: [UInt8] = []
                for try await chunk in file.chunks(readAhead: 2) {
                    streamed += chunk.bytes
                }
                #expect(streamed == expected)
                #expect(try await file.read(upTo: 4096, at: 0) == Array(expected[0..<4096]), "plain reads use aligned memory")
                try await file.close()
            }
        }
    }

    @Test(.enabled(if: tempFolderTakesDirectIO, "the temp folder's file system does not take O_DIRECT"))
    func chunksInARangeWithUnalignedEndsOfAnODirectFileAreTrimmedToTheRange() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let path = dir + "/direct-range.bin"
        let expected = Support.bytes(count: 300_000, seed: 95)
        Support.pwriteFile(path, expected)
        try await Support.withExecutor(count: 4, size: 64 << 10) { executor in
            try await executor.run {
                let file = try await File.open(path, options: .direct, on: executor)
                // Aligned start, unaligned end (inside the file, and past its end).
                for range: Range<Int64> in [65536..<200_001, 131_072..<400_000] {
                    var streamed: [UInt8] = []
                    for try await chunk in file.chunks(in: range, readAhead: 3) {
                        streamed += chunk.bytes
                    }
                    let upper = min(Int(range.upperBound), expected.count)
                    #expect(streamed == Array(expected[Int(range.lowerBound)..<upper]), "\(range)")
                }
                #expect(executor.buffers.available == 4)
                try await file.close()
            }
        }
    }

    @Test(.enabled(if: tempFolderTakesDirectIO, "the temp folder's file system does not take O_DIRECT"))
    func directWritesReachTheFile() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let path = dir + "/direct-write.bin"
        let payload = Support.bytes(count: 8192, seed: 92)
        try await Support.withExecutor(count: 2, size: 8192) { executor in
            try await executor.run {
                let file = try await File.open(path, mode: .readWrite, options: [.create, .truncate, .direct], on: executor)
                var lease = try await executor.buffers.lease()
                lease.copy(from: payload)
                try await file.writeFully(from: lease, at: 4096)
                try await file.close()
            }
            #expect(Support.preadFile(path) == [UInt8](repeating: 0, count: 4096) + payload)
        }
    }
}
