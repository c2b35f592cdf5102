import Glibc
import RingIO
import Testing

@Suite("READ_FIXED reads", .enabled(if: Support.ioUringAvailable, "io_uring is not available on this machine"))
struct ReadFixedTests {
    @Test func readReturnsBytesWrittenByPwrite() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let path = dir + "/data.bin"
        let expected = Support.bytes(count: 200_000, seed: 42)
        Support.pwriteFile(path, expected)

        let executor = try Support.makeExecutor()
        try await executor.run {
            let file = try await File.open(path, on: executor)
            var lease = try await executor.buffers.lease()
            let n = try await file.read(into: &lease, at: 4096)
            #expect(n == lease.capacity)
            #expect(lease.count == n)
            #expect(lease.bytes == Array(expected[4096..<(4096 + n)]))
            try await file.close()
        }
        await executor.shutdown()
    }
}
