import Glibc
import RingIO
import Testing

@Suite("Cancellation")
struct CancellationTests {
    @Test(.ioUringOnly("needs io_uring: a blocking syscall on the thread pool cannot be interrupted"))
    func cancellingAReadInFlightThrowsCancellationErrorAfterTheKernelReleasesTheBuffer() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            let reader = Task(executorPreference: executor) { () -> Int in
                var lease = try await executor.buffers.lease()
                return try await file.read(into: &lease, at: 0)  // an empty pipe: stays in flight
            }
            #expect(await Support.waitUntil { executor.buffers.available == 0 }, "the reader took the lease and submitted")
            reader.cancel()
            await #expect(throws: CancellationError.self) { try await reader.value }
            // The lease came back only after the kernel completed (cancelled) the read.
            #expect(executor.buffers.available == 1)
            #expect(try await pipe.nextReadGetsTheData(through: file, on: executor), "the read is gone from the kernel")
            try await executor.run { try await file.close() }
        }
    }

    @Test(.ioUringOnly("relies on io_uring completing a NOP and a read in one turn, in order"))
    func readThatCompletedBeforeTheCancelLandedReturnsItsData() async throws {
        try await Support.withFile(Support.bytes(count: 8192, seed: 31)) { path, expected in
            try await Support.withExecutor(count: 2, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    let box = TaskBox()
                    // On the ring thread, turn 1 runs D then A: D submits a NOP, A a page-cache read;
                    // both complete in that order, so turn 2 resumes D first, which cancels A after A's
                    // read has completed but before A has resumed.
                    let d = Task(executorPreference: executor) {
                        try await executor.nop()
                        box.task?.cancel()
                    }
                    let reader = Task(executorPreference: executor) { () -> Int in
                        var lease = try await executor.buffers.lease()
                        let n = try await file.read(into: &lease, at: 100)
                        #expect(Task.isCancelled, "the cancel landed before the reader resumed")
                        #expect(lease.bytes == Array(expected[100..<4196]))
                        // The next operation of the cancelled task is refused before it is submitted.
                        await #expect(throws: CancellationError.self) { try await file.read(into: &lease, at: 0) }
                        return n
                    }
                    box.task = reader
                    try await d.value
                    #expect(try await reader.value == 4096)
                    try await file.close()
                }
            }
        }
    }

    @Test func alreadyCancelledTaskThrowsWithoutSubmitting() async throws {
        try await Support.withFile(Support.bytes(count: 4096, seed: 32)) { path, _ in
            try await Support.withExecutor(count: 1, size: 4096) { executor in
                let file = try await executor.run { try await File.open(path, on: executor) }
                let task = Task(executorPreference: executor) {
                    withUnsafeCurrentTask { $0?.cancel() }
                    var lease = try await executor.buffers.lease()
                    return try await file.read(into: &lease, at: 0)
                }
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(executor.buffers.available == 1)
                try await executor.run { try await file.close() }
            }
        }
    }

    @Test(.ioUringOnly("its pipe reads end only when cancelled, which a blocking read on the thread pool cannot be"))
    func cancellationStormReturnsEveryBufferAndEveryCompletedReadIsCorrect() async throws {
        try await Support.withFile(Support.bytes(count: 2 << 20, seed: 33)) { path, expected in
            try await Support.withExecutor(count: 16, size: 4096, entries: 32, maxInFlight: 24) { executor in
                let pipe = try Pipe()
                defer { pipe.closeAll() }
                let file = try await executor.run { try await File.open(path, on: executor) }
                let pipeFile = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
                let tally = Tally()
                var tasks: [Task<Void, Never>] = []
                var random = SplitMix(seed: 2024)
                for index in 0..<3000 {
                    let usePipe = index % 10 == 0  // these never complete unless cancelled
                    let offset = Int(random.next() % UInt64(expected.count - 4096))
                    let length = 1 + Int(random.next() % 4096)
                    tasks.append(Task(executorPreference: executor) {
                        do {
                            var lease = try await executor.buffers.lease()
                            if usePipe {
                                _ = try await pipeFile.read(into: &lease, at: 0)
                                await tally.wrong()
                            } else {
                                let n = try await file.read(into: &lease, range: 0..<length, at: Int64(offset))
                                if n == length && lease.bytes == Array(expected[offset..<(offset + length)]) {
                                    await tally.correct()
                                } else {
                                    await tally.wrong()
                                }
                            }
                        } catch is CancellationError {
                            await tally.cancelled()
                        } catch {
                            await tally.wrong()
                        }
                    })
                    if index % 10 == 0 || random.next() % 3 == 0 {
                        let victim = tasks[Int(random.next() % UInt64(tasks.count))]
                        victim.cancel()
                    }
                    if index % 10 == 0 { tasks[index].cancel() }
                    if index % 64 == 0 { await Task.yield() }
                }
                for task in tasks { await task.value }
                let counts = await tally.counts
                #expect(counts.wrong == 0)
                #expect(counts.correct + counts.cancelled == 3000)
                #expect(counts.cancelled >= 300, "every pipe read had to be cancelled")
                #expect(executor.buffers.available == 16)
                try await executor.run {
                    try await file.close()
                    try await pipeFile.close()
                }
            }
        }
    }
}

/// Counts outcomes of the storm.
actor Tally {
    var counts = (correct: 0, cancelled: 0, wrong: 0)
    func correct() { counts.correct += 1 }
    func cancelled() { counts.cancelled += 1 }
    func wrong() { counts.wrong += 1 }
}

/// A flag set and read on the ring thread only.
final class LoopFlag: @unchecked Sendable {
    private(set) var isSet = false
    func set() { isSet = true }
}
