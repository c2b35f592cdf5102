import Glibc
import RingIO
import Testing

@Suite("WRITE_FIXED writes")
struct WriteFixedTests {
    @Test func writtenBytesReadBackWithPread() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let path = dir + "/out.bin"
        let expected = Support.bytes(count: 300_000, seed: 11)
        try await Support.withExecutor(count: 4, size: 64 << 10) { executor in
            try await executor.run {
                let file = try await File.open(path, mode: .writeOnly, options: [.create, .truncate], on: executor)
                var lease = try await executor.buffers.lease()
                var offset = 0
                while offset < expected.count {
                    let chunk = expected[offset..<min(offset + lease.capacity, expected.count)]
                    lease.copy(from: chunk)
                    #expect(try await file.writeFully(from: lease, at: Int64(offset)) == chunk.count)
                    offset += chunk.count
                }
                try await file.close()
            }
            #expect(Support.preadFile(path) == expected)
        }
    }

    @Test func subRangeWriteThenReadFixedRoundTrip() async throws {
        try await Support.withFile([UInt8](repeating: 0xAA, count: 20_000)) { path, _ in
            try await Support.withExecutor(count: 2, size: 8192) { executor in
                let payload = Support.bytes(count: 3000, seed: 12)
                try await executor.run {
                    let file = try await File.open(path, mode: .readWrite, on: executor)
                    var lease = try await executor.buffers.lease()
                    lease.withUnsafeMutableBytes { buffer in
                        for index in 0..<payload.count { buffer[1000 + index] = payload[index] }
                    }
                    #expect(try await file.write(from: lease, range: 1000..<4000, at: 5000) == 3000)
                    var readBack = try await executor.buffers.lease()
                    #expect(try await file.read(into: &readBack, range: 10..<3010, at: 5000) == 3000)
                    #expect(readBack.withUnsafeBytes { Array($0[10..<3010]) } == payload)
                    try await file.close()
                }
                var expected = [UInt8](repeating: 0xAA, count: 20_000)
                expected.replaceSubrange(5000..<8000, with: payload)
                #expect(Support.preadFile(path) == expected)
            }
        }
    }

    @Test func appendModeWritesAtTheEnd() async throws {
        try await Support.withFile(Support.bytes(count: 100, seed: 13)) { path, original in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, mode: .writeOnly, options: [.append], on: executor)
                    var lease = try await executor.buffers.lease()
                    lease.copy(from: [1, 2, 3, 4])
                    _ = try await file.write(from: lease, at: 0)
                    try await file.close()
                }
                #expect(Support.preadFile(path) == original + [1, 2, 3, 4])
            }
        }
    }

    @Test func createExclusiveOnExistingFileFailsWithEEXIST() async throws {
        try await Support.withFile([1]) { path, _ in
            try await Support.withExecutor { executor in
                let error = await #expect(throws: RingIOError.self) {
                    try await executor.run {
                        _ = try await File.open(path, mode: .writeOnly, options: [.create, .exclusive], on: executor)
                    }
                }
                #expect(error?.errno == .fileExists)
                #expect(error?.path == path)
            }
        }
    }
}
