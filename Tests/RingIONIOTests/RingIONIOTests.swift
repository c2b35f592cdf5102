import Glibc
import NIOCore
import RingIO
import RingIONIO
import SystemPackage
import Testing

/// RingIO with NIO `ByteBuffer`s and the NIOFileSystem-shaped entry point, checked byte for byte
/// against what plain pwrite wrote and pread finds.
@Suite("RingIONIO")
struct RingIONIOTests {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// A temp directory holding `bytes` in `data.bin`, removed afterwards.
    static func withFile(_ bytes: [UInt8], _ body: (FilePath) async throws -> Void) async throws {
        var template = Array("/tmp/ringionio-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil)
        let directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { _ = system("rm -rf '\(directory)'") }
        let path = directory + "/data.bin"
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        try #require(fd >= 0)
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        close(fd)
        try #require(written == bytes.count)
        try await body(FilePath(path))
    }

    static func preadAll(_ path: FilePath) -> [UInt8] {
        let fd = open(path.string, O_RDONLY)
        defer { close(fd) }
        var result = [UInt8](repeating: 0, count: 1 << 20)
        let n = result.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return Array(result.prefix(max(0, n)))
    }

    static func executor() throws -> RingExecutor {
        try RingExecutor(configuration: .init(entries: 64, buffers: .init(count: 4, size: 16 << 10)))
    }

    @Test func readToEndGivesTheFileInOneByteBufferAndRefusesOverTheLimit() async throws {
        let expected = Self.bytes(100_003, seed: 1)
        let executor = try Self.executor()
        try await Self.withFile(expected) { path in
            let fileSystem = RingFileSystem(executor: executor)
            let buffer = try await fileSystem.withFileHandle(forReadingAt: path) { handle in
                try await handle.readToEnd(maximumSizeAllowed: .mebibytes(1))
            }
            #expect(buffer.readableBytes == expected.count)
            #expect(Array(buffer.readableBytesView) == expected)
            let error = await #expect(throws: RingIOError.self) {
                try await fileSystem.withFileHandle(forReadingAt: path) { try await $0.readToEnd(maximumSizeAllowed: .kibibytes(64)) }
            }
            #expect(error?.errno == .invalidArgument)
            #expect(error?.description.contains("100003 bytes") == true)
        }
        #expect(executor.buffers.available == 4)
        await executor.shutdown()
    }

    @Test func readChunksCoverTheRangeInOrderAsByteBuffers() async throws {
        let expected = Self.bytes(70_000, seed: 2)
        let executor = try Self.executor()
        try await Self.withFile(expected) { path in
            try await RingFileSystem(executor: executor).withFileHandle(forReadingAt: path) { handle in
                var collected: [UInt8] = []
                var sizes: [Int] = []
                for try await chunk in handle.readChunks(in: 1000..<65_000, chunkLength: .kibibytes(8)) {
                    sizes.append(chunk.readableBytes)
                    collected += chunk.readableBytesView
                }
                #expect(collected == Array(expected[1000..<65_000]))
                #expect(sizes.dropLast().allSatisfy { $0 == 8192 })
                let middle = try await handle.readChunk(fromAbsoluteOffset: 12_345, length: .bytes(100))
                #expect(Array(middle.readableBytesView) == Array(expected[12_345..<12_445]))
            }
        }
        await executor.shutdown()
    }

    @Test func aByteBufferWrittenThroughLeasesIsWhatPreadFinds() async throws {
        let expected = Self.bytes(50_000, seed: 3)
        let executor = try Self.executor()
        try await Self.withFile([]) { path in
            let fileSystem = RingFileSystem(executor: executor)
            var buffer = ByteBufferAllocator().buffer(capacity: expected.count + 10)
            buffer.writeBytes([9, 9, 9])
            _ = buffer.readBytes(length: 3)  // only the readable bytes are written
            buffer.writeBytes(expected)
            let written = try await fileSystem.withFileHandle(forWritingAt: path, truncate: true) { handle in
                try await handle.write(contentsOf: buffer, toAbsoluteOffset: 0)
            }
            #expect(written == expected.count)
            #expect(Self.preadAll(path) == expected)
        }
        await executor.shutdown()
    }

    @Test func infoIsNilForAMissingFileAndTheStatusOtherwise() async throws {
        let executor = try Self.executor()
        try await Self.withFile(Self.bytes(1234, seed: 4)) { path in
            let fileSystem = RingFileSystem(executor: executor)
            let present = try await fileSystem.info(forFileAt: path)
            let absent = try await fileSystem.info(forFileAt: path.removingLastComponent().appending("missing"))
            #expect(present?.size == 1234)
            #expect(absent == nil)
            let notADirectory = await #expect(throws: RingIOError.self) {
                try await fileSystem.info(forFileAt: path.appending("below"))
            }
            #expect(notADirectory?.errno == .notDirectory)
            let missing = await #expect(throws: RingIOError.self) {
                try await fileSystem.withFileHandle(forReadingAt: path.removingLastComponent().appending("missing")) { _ in }
            }
            #expect(missing?.errno == .noSuchFileOrDirectory)
        }
        await executor.shutdown()
    }

    @Test func aGroupsFileSystemReadsOnTheCallersLoop() async throws {
        let expected = Self.bytes(40_000, seed: 5)
        let group = try RingExecutorGroup(configuration: .init(loops: 2, executor: .init(entries: 64, buffers: .init(count: 4, size: 16 << 10))))
        try await Self.withFile(expected) { path in
            let bytes = try await group.run {
                try await RingFileSystem(group: group).withFileHandle(forReadingAt: path) { handle in
                    try await handle.readToEnd(maximumSizeAllowed: .mebibytes(1))
                }
            }
            #expect(Array(bytes.readableBytesView) == expected)
        }
        await group.shutdown()
    }
}
