import Glibc
import RingIO
import Testing
import Synchronization

@Suite("Regressions")
struct RegressionTests {
    /// A slot must not be reused while the task that finished in it still has its cancellation
    /// hook installed: cancelling that task must not cancel the slot's next operation.
    @Test(.ioUringOnly("relies on io_uring's completion order"))
    func cancellingAFinishedTaskDoesNotCancelTheNextOperationInItsSlot() async throws {
        try await Support.withFile(Support.bytes(count: 8192, seed: 51)) { path, _ in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let pipe = try Pipe()
                defer { pipe.closeAll() }
                let pipeFile = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
                let ready = try Pipe()
                defer { ready.closeAll() }
                ready.write([1, 2, 3])
                let readyFile = File(unsafeDescriptor: ready.takeReadEnd(), path: "ready pipe", on: executor)
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    let box = TaskBox()
                    // All on the ring thread. Turn 1 runs T, D, A in creation order: T and D submit a NOP,
                    // A a read of data already there; the three complete in that order, so turn 2 resumes T, D, A.
                    // Turn 2: T starts a pipe read (taking a free slot), then D cancels A, whose read
                    // has completed but which has not resumed, so A's cancellation hook is still installed.
                    let t = Task(executorPreference: executor) { () -> Int in
                        try await executor.nop()
                        var lease = try await executor.buffers.lease()
                        return try await pipeFile.read(into: &lease, range: 0..<1, at: 0)
                    }
                    let d = Task(executorPreference: executor) {
                        try await executor.nop()
                        box.task?.cancel()
                    }
                    // A reads a pipe that already holds data: that completes at once, like a page-cache
                    // read, but (unlike a regular file's I/O) with a cancellation hook installed.
                    let a = Task(executorPreference: executor) { () -> Int in
                        var lease = try await executor.buffers.lease()
                        return try await readyFile.read(into: &lease, range: 0..<3, at: 0)
                    }
                    box.task = a
                    try await d.value
                    #expect(try await a.value == 3, "A completed before the cancel, so it returns its data")
                    pipe.write([42])
                    #expect(try await t.value == 1, "T's read was not cancelled by A's cancellation")
                    try await file.close()
                    try await pipeFile.close()
                    try await readyFile.close()
                }
            }
        }
    }

    /// close() from a cancelled task that has to wait for a free slot still closes the descriptor.
    @Test func closeFromACancelledTaskUnderBackPressureStillClosesTheDescriptor() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            try await Support.withExecutor(count: 2, size: 4096, maxInFlight: 1) { executor in
                let pipe = try Pipe()
                defer { pipe.closeAll() }
                let pipeFile = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
                let file = try await executor.run { try await File.open(path, on: executor) }
                let fd = try #require(file.descriptor)
                let fileTarget = Support.target(of: fd)
                // Occupy the only slot.
                let blocker = Task(executorPreference: executor) { () -> Int in
                    var lease = try await executor.buffers.lease()
                    return try await pipeFile.read(into: &lease, range: 0..<1, at: 0)
                }
                #expect(await Support.waitUntil { executor.buffers.available == 1 })
                let closer = Task(executorPreference: executor) {
                    withUnsafeCurrentTask { $0?.cancel() }
                    try await file.close()
                }
                #expect(await Support.waitUntilTheLoopSleeps(executor), "the close waits for the slot")
                pipe.write([1])
                #expect(try await blocker.value == 1)
                try await closer.value
                #expect(fileTarget != nil && Support.target(of: fd) != fileTarget, "the descriptor was closed")
                try await executor.run { try await pipeFile.close() }
            }
        }
    }

    /// A reregister that is waiting for a lease must fail, not hang, when the executor shuts down.
    @Test func reregisterWaitingForLeasesFailsAtShutdown() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        let held = try await executor.buffers.lease()
        let swap = Task { try await executor.buffers.reregister(count: 4, size: 8192) }
        #expect(await Support.waitUntil { executor.buffers.isReregistering })
        await executor.shutdown()
        let error = await #expect(throws: RingIOError.self) { try await swap.value }
        #expect(error?.code == .shutDown)
        _ = consume held
    }

    /// Offsets whose end would overflow are refused before the kernel is asked, not trapped on.
    @Test func offsetNearInt64MaxIsRefused() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    let error = await #expect(throws: RingIOError.self) { _ = try await file.readFully(into: &lease, at: Int64.max - 10) }
                    #expect(error?.code == .invalidArgument)
                    try await file.close()
                }
            }
        }
    }
}

/// Hands a task to another task on the ring thread (set and read there only).
final class TaskBox: @unchecked Sendable {
    var task: Task<Int, any Error>?
}

/// A default actor that reads through RingIO, and that other, non-ring tasks keep busy.
actor BusyReader {
    private var bumps = 0

    func bump() { bumps += 1 }

    /// Runs `body` while a detached task (no executor preference) keeps calling `bump()`, so the
    /// actor keeps moving to global-pool threads.
    nonisolated func whileBusy<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        let stop = Atomic<Bool>(false)
        let hammer = Task.detached {
            while !stop.load(ordering: .relaxed) {
                await self.bump()
                // Back to the global pool: an actor switch may otherwise keep this loop on the
                // ring thread (where the actor ran) and starve the loop.
                await Task.yield()
            }
        }
        defer { stop.store(true, ordering: .relaxed) }
        let result = try await body()
        stop.store(true, ordering: .relaxed)
        await hammer.value
        return result
    }

    /// Leases a buffer and reads the first bytes of `file` (from whatever thread the actor is on).
    func readStart(of file: File, executor: RingExecutor) async throws -> [UInt8] {
        var lease = try await executor.buffers.lease()
        let n = try await file.read(into: &lease, range: 0..<4096, at: 0)
        return Array(lease.bytes.prefix(n))
    }

    /// Reads 8 blocks through a pipeline; returns how many differ from `expected`.
    func readBlocks(of file: File, executor: RingExecutor, expected: [UInt8], round: Int) async throws -> Int {
        try await file.withPipeline(depth: 8) { pipeline in
            for index in 0..<8 {
                try await pipeline.read(into: try await executor.buffers.lease(), at: Int64((round * 8 + index) % 256) * 4096)
            }
            var bad = 0
            while let completion = try await pipeline.next() {
                let offset = Int(completion.offset)
                if completion.lease.bytes != Array(expected[offset..<(offset + 4096)]) { bad += 1 }
            }
            return bad
        }
    }
}

@Suite("Regressions: actors on the ring thread")
struct ActorOnRingThreadTests {
    /// A default actor called from a task that prefers the executor runs on the ring thread; a
    /// read it starts there must still resume on the ring thread even when the actor meanwhile
    /// runs elsewhere for a task without that preference (the in-flight table is loop-confined;
    /// debug builds assert it after every resume).
    @Test func aDefaultActorOnTheRingThreadWhoseReadResumesElsewhereStillCompletesOnTheLoop() async throws {
        try await Support.withFile(Support.bytes(count: 8192, seed: 61)) { path, expected in
            try await Support.withExecutor(count: 8, size: 4096) { executor in
                let reader = BusyReader()
                let file = try await executor.run { try await File.open(path, on: executor) }
                let mismatches = try await reader.whileBusy {
                    try await executor.run {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<4 {
                            group.addTask {
                                var bad = 0
                                for _ in 0..<300 {
                                    let bytes = try await reader.readStart(of: file, executor: executor)
                                    if bytes != Array(expected[0..<4096]) { bad += 1 }
                                }
                                return bad
                            }
                        }
                        return try await group.reduce(0, +)
                    }
                    }
                }
                #expect(mismatches == 0)
                try await executor.run { try await file.close() }
            }
        }
    }
}
