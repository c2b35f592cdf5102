import Glibc
import RingIO
import Testing

@Suite("READ_FIXED reads")
struct ReadFixedTests {
    @Test func readReturnsBytesWrittenByPwrite() async throws {
        try await Support.withFile(Support.bytes(count: 200_000, seed: 42)) { path, expected in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    let n = try await file.read(into: &lease, at: 4096)
                    #expect(n == lease.capacity)
                    #expect(lease.count == n)
                    #expect(lease.bytes == Array(expected[4096..<(4096 + n)]))
                    try await file.close()
                }
            }
        }
    }

    @Test func randomOffsetsLengthsAndLeaseSubRangesMatchPwrite() async throws {
        try await Support.withFile(Support.bytes(count: 1_000_003, seed: 7)) { path, expected in
            try await Support.withExecutor(count: 4, size: 16 << 10) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    var random = SplitMix(seed: 99)
                    for _ in 0..<500 {
                        let start = Int(random.next() % UInt64(lease.capacity))
                        let length = Int(random.next() % UInt64(lease.capacity - start + 1))
                        let offset = Int(random.next() % UInt64(expected.count + 10_000))
                        let n = try await file.read(into: &lease, range: start..<(start + length), at: Int64(offset))
                        let available = max(0, min(length, expected.count - offset))
                        #expect(n == available, "offset \(offset) length \(length)")
                        #expect(lease.count == start + n)
                        let got = lease.withUnsafeBytes { Array($0[start..<(start + n)]) }
                        #expect(got == Array(expected[min(offset, expected.count)..<min(offset, expected.count) + n]))
                    }
                    try await file.close()
                }
            }
        }
    }

    @Test func readAtOrPastEndOfFileReturnsZero() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 1)) { path, _ in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    #expect(try await file.read(into: &lease, at: 10_000) == 0)
                    #expect(lease.count == 0)
                    #expect(try await file.read(into: &lease, at: 1 << 40) == 0)
                    try await file.close()
                }
            }
        }
    }

    @Test func shortReadAtEndReturnsItsCount() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 2)) { path, expected in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    let n = try await file.read(into: &lease, at: 9_000)
                    #expect(n == 1_000)
                    #expect(lease.bytes == Array(expected[9_000...]))
                    try await file.close()
                }
            }
        }
    }

    @Test func aPositionedReadOfAPipeIgnoresTheOffsetAndTakesTheNextBytes() async throws {
        // Documented on File.read: a stream has no offsets, as with read(2) (and io_uring).
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let expected = Support.bytes(count: 300, seed: 11)
        #expect(expected.withUnsafeBytes { write(fds[1], $0.baseAddress, 300) } == 300)
        close(fds[1])
        let readFD = fds[0]
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            try await executor.run {
                let file = File(unsafeDescriptor: readFD, path: "pipe", on: executor)
                var lease = try await executor.buffers.lease()
                let first = try await file.read(into: &lease, range: 0..<100, at: 1_000_000)
                #expect(first == 100)
                #expect(lease.withUnsafeBytes { Array($0[0..<100]) } == Array(expected[0..<100]), "the first bytes, not those at the offset")
                let second = try await file.read(into: &lease, range: 0..<4096, at: 0)
                #expect(second == 200)
                #expect(lease.withUnsafeBytes { Array($0[0..<200]) } == Array(expected[100..<300]), "then the next ones, whatever the offset")
                try await file.close()
            }
        }
    }

    @Test func readFullyFillsTheRangeAcrossShortReadsAndStopsAtEOF() async throws {
        // A pipe returns what a writer has put in so far, so reads are short; readFully must keep going.
        try await Support.withExecutor(count: 2, size: 8192) { executor in
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            let expected = Support.bytes(count: 6000, seed: 3)
            let writer = Task.detached { [writeFD = fds[1]] in
                for chunk in stride(from: 0, to: expected.count, by: 1000) {
                    _ = expected[chunk..<(chunk + 1000)].withUnsafeBytes { write(writeFD, $0.baseAddress, 1000) }
                    usleep(2000)
                }
                close(writeFD)
            }
            let readFD = fds[0]
            try await executor.run {
                let file = File(unsafeDescriptor: readFD, path: "pipe", on: executor)
                var lease = try await executor.buffers.lease()
                let n = try await file.readFully(into: &lease, range: 100..<8192, at: 0)
                #expect(n == 6000, "EOF after 6000 bytes ends the loop")
                #expect(lease.count == 6100)
                #expect(lease.withUnsafeBytes { Array($0[100..<6100]) } == expected)
                try await file.close()
            }
            await writer.value
        }
    }

    @Test func readFullyFromRegularFileStopsAtEOF() async throws {
        try await Support.withFile(Support.bytes(count: 50_000, seed: 4)) { path, expected in
            try await Support.withExecutor(count: 2, size: 64 << 10) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    let n = try await file.readFully(into: &lease, at: 20_000)
                    #expect(n == 30_000)
                    #expect(lease.bytes == Array(expected[20_000...]))
                    try await file.close()
                }
            }
        }
    }

    @Test func manyConcurrentReadsAtQueueDepth32AllMatch() async throws {
        try await Support.withFile(Support.bytes(count: 4 << 20, seed: 5)) { path, expected in
            try await Support.withExecutor(count: 32, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for task in 0..<32 {
                            group.addTask {
                                var lease = try await executor.buffers.lease()
                                var random = SplitMix(seed: UInt64(task))
                                for _ in 0..<200 {
                                    let offset = Int(random.next() % UInt64(expected.count / 4096)) * 4096
                                    let n = try await file.read(into: &lease, at: Int64(offset))
                                    #expect(n == 4096)
                                    #expect(lease.bytes == Array(expected[offset..<(offset + 4096)]))
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    try await file.close()
                }
                #expect(executor.buffers.available == 32)
            }
        }
    }
}

/// A tiny deterministic PRNG for test offsets.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
