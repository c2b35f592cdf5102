import _NIOFileSystem
import Foundation
import RingIO
import SystemPackage
import Testing

/// RingIO and NIOFileSystem in one module: this file compiling is half the test (RingIO's C shim
/// and swift-system's CSystem must agree on `struct io_uring_sqe`); the other half reads the same
/// file through both and compares.
@Suite("RingIO imported together with NIOFileSystem")
struct ImportTogetherTests {
    @Test func bothReadTheSameBytes() async throws {
        let path = NSTemporaryDirectory() + "import-together-\(getpid()).bin"
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }

        let executor = try RingExecutor(configuration: .init(buffers: .init(count: 2, size: 16 << 10)))
        let viaRing = try await executor.run { () -> [UInt8] in
            let file = try await File.open(path, on: executor)
            var lease = try await executor.buffers.lease()
            let count = try await file.readFully(into: &lease, at: 0)
            try await file.close()
            return lease.withUnsafeBytes { Array($0.prefix(count)) }
        }
        await executor.shutdown()

        let viaNIO = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            var buffer = try await handle.readToEnd(maximumSizeAllowed: .bytes(1 << 20))
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        #expect(viaRing == bytes)
        #expect(viaNIO == bytes)
    }
}
