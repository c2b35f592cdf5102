import Glibc
import RingIO
import Testing

@Suite("Timeouts (IORING_OP_LINK_TIMEOUT)", .ioUringOnly("needs io_uring: a blocking syscall on the thread pool cannot be interrupted"))
struct TimeoutTests {
    @Test func aReadThatNeverCompletesTimesOutAfterTheKernelReleasesTheBuffer() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            let started = ContinuousClock.now
            let error = await #expect(throws: RingIOError.self) {
                try await executor.run {
                    var lease = try await executor.buffers.lease()
                    _ = try await file.read(into: &lease, at: 0, timeout: .milliseconds(50))
                }
            }
            let elapsed = ContinuousClock.now - started
            #expect(error?.code == .timedOut)
            #expect(error?.errno == .timedOut)
            #expect(error?.operation == .readFixed)
            #expect(error?.path == "pipe")
            #expect(error?.bytesTransferred == 0)
            #expect(error?.description.contains("did not complete within") == true)
            #expect(elapsed >= .milliseconds(40), "it waited for the timeout")
            // The buffer is back, and data arriving now goes to the next read, not the timed-out one.
            #expect(executor.buffers.available == 1)
            #expect(try await pipe.nextReadGetsTheData(through: file, on: executor), "the read is gone from the kernel")
            try await executor.run { try await file.close() }
        }
    }

    @Test(arguments: [Duration.zero, .milliseconds(-500), .seconds(-3)])
    func aTimeoutOfZeroOrLessExpiresAtOnce(timeout: Duration) async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            let error = await #expect(throws: RingIOError.self) {
                try await executor.run {
                    var lease = try await executor.buffers.lease()
                    _ = try await file.read(into: &lease, at: 0, timeout: timeout)
                }
            }
            // A timed-out read, not a refused timespec (EINVAL from a negative tv_nsec).
            #expect(error?.code == .timedOut)
            #expect(error?.errno == .timedOut)
            #expect(executor.buffers.available == 1)
            try await executor.run { try await file.close() }
        }
    }

    @Test func timeoutsThatDoNotFireChangeNothing() async throws {
        try await Support.withFile(Support.bytes(count: 1 << 20, seed: 81)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, mode: .readWrite, on: executor)
                    var lease = try await executor.buffers.lease()
                    var random = SplitMix(seed: 5)
                    for _ in 0..<200 {
                        let offset = Int(random.next() % 250) * 4096
                        #expect(try await file.read(into: &lease, at: Int64(offset), timeout: .seconds(5)) == 4096)
                        #expect(lease.bytes == Array(expected[offset..<(offset + 4096)]))
                    }
                    #expect(try await file.write(from: lease, at: 0, timeout: .seconds(5)) == 4096)
                    #expect(try await file.read(upTo: 10, at: 0, timeout: .seconds(5)).count == 10)
                    try await file.close()
                }
            }
        }
    }

    @Test func readFullyReportsTheBytesItGotBeforeTheTimeout() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let first = Support.bytes(count: 1000, seed: 82)
            pipe.write(first)
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            try await executor.run {
                var lease = try await executor.buffers.lease()
                let error = await #expect(throws: RingIOError.self) {
                    _ = try await file.readFully(into: &lease, at: 0, timeout: .milliseconds(80))
                }
                #expect(error?.code == .timedOut)
                #expect(error?.bytesTransferred == 1000)
                #expect(lease.count == 1000)
                #expect(lease.bytes == first)
                try await file.close()
            }
        }
    }

    @Test func taskCancellationWinsOverALongTimeout() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            let reader = Task(executorPreference: executor) { () -> Int in
                var lease = try await executor.buffers.lease()
                return try await file.read(into: &lease, at: 0, timeout: .seconds(30))
            }
            #expect(await Support.waitUntil { executor.buffers.available == 0 })
            reader.cancel()
            await #expect(throws: CancellationError.self) { try await reader.value }
            #expect(executor.buffers.available == 1)
            try await executor.run { try await file.close() }
        }
    }
}

@Suite("Timeouts on every operation")
struct TimeoutsOnEveryOperationTests {
    /// Each operation with a generous timeout behaves exactly as without one.
    @Test func operationsWithTimeoutsThatDoNotFireWork() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        try await Support.withExecutor { executor in
            let t: Duration = .seconds(10)
            try await executor.run {
                let file = try await File.open(dir + "/t.bin", mode: .readWrite, options: .create, timeout: t, on: executor)
                try await file.write([1, 2, 3, 4], at: 0)
                try await file.allocate(at: 0, length: 8192, timeout: t)
                try await file.truncate(to: 100, timeout: t)
                try await file.sync(timeout: t)
                try await file.dataSync(timeout: t)
                #expect(try await file.status(timeout: t).size == 100)
                #expect(try await File.status(of: dir + "/t.bin", timeout: t, on: executor).size == 100)
                try await File.makeDirectory(dir + "/d", timeout: t, on: executor)
                try await File.rename(dir + "/t.bin", to: dir + "/d/u.bin", timeout: t, on: executor)
                try await File.remove(dir + "/d/u.bin", timeout: t, on: executor)
                try await File.remove(dir + "/d", directory: true, timeout: t, on: executor)
                try await file.close()
            }
            #expect(access(dir + "/d", F_OK) != 0)
        }
    }
}
