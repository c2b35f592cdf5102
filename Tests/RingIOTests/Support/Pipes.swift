import Glibc
@testable import RingIO
import Testing

/// A pipe for reads that stay in flight until cancelled or fed.
final class Pipe: @unchecked Sendable {
    private var readEnd: Int32
    private let writeEnd: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw RingIOError(code: .system, operation: RingIOError.Operation("pipe")) }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    /// Hands the read end to a `File`, which then owns and closes it.
    func takeReadEnd() -> Int32 {
        defer { readEnd = -1 }
        return readEnd
    }

    func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.write(writeEnd, $0.baseAddress, $0.count) }
    }

    /// Checks that no cancelled or timed-out read of this pipe is still in the kernel: the
    /// executor has no operation in flight, and bytes written now reach a new read through `file`.
    /// A stale read would have queued first on the pipe and taken them; the new read would then
    /// time out (after 5 s), and this returns false.
    func nextReadGetsTheData(through file: File, on executor: RingExecutor) async throws -> Bool {
        try await executor.run {
            let idle = executor.core.table.armedCount == 0
            var lease = try await executor.buffers.lease()
            lease.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0xEE) }
            write([1, 2, 3])
            do {
                let count = try await file.read(into: &lease, at: 0, timeout: .seconds(5))
                return idle && count == 3 && lease.bytes == [1, 2, 3]
            } catch let error as RingIOError where error.code == .timedOut {
                return false
            }
        }
    }

    func closeAll() {
        if readEnd >= 0 { close(readEnd) }
        close(writeEnd)
    }
}
