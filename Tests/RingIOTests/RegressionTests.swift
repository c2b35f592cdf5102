import Glibc
import RingIO
import Testing

@Suite("Regressions", .enabled(if: Support.ioUringAvailable, "io_uring is not available on this machine"))
struct RegressionTests {
    /// A slot must not be reused while the task that finished in it still has its cancellation
    /// hook installed: cancelling that task must not cancel the slot's next operation.
    @Test(.enabled(if: Support.testingIOURing, "relies on io_uring's completion order"))
    func cancellingAFinishedTaskDoesNotCancelTheNextOperationInItsSlot() async throws {
        try await Support.withFile(Support.bytes(count: 8192, seed: 51)) { path, _ in
            let executor = try Support.makeExecutor(count: 4, size: 4096)
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
            await executor.shutdown()
        }
    }

    /// close() from a cancelled task that has to wait for a free slot still closes the descriptor.
    @Test func closeFromACancelledTaskUnderBackPressureStillClosesTheDescriptor() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            let executor = try Support.makeExecutor(count: 2, size: 4096, maxInFlight: 1)
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
            try await Task.sleep(nanoseconds: 20_000_000)
            pipe.write([1])
            #expect(try await blocker.value == 1)
            try await closer.value
            #expect(fileTarget != nil && Support.target(of: fd) != fileTarget, "the descriptor was closed")
            try await executor.run { try await pipeFile.close() }
            await executor.shutdown()
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
            let executor = try Support.makeExecutor()
            try await executor.run {
                let file = try await File.open(path, on: executor)
                var lease = try await executor.buffers.lease()
                let error = await #expect(throws: RingIOError.self) { _ = try await file.readFully(into: &lease, at: Int64.max - 10) }
                #expect(error?.code == .invalidArgument)
                try await file.close()
            }
            await executor.shutdown()
        }
    }
}

/// Hands a task to another task on the ring thread (set and read there only).
final class TaskBox: @unchecked Sendable {
    var task: Task<Int, any Error>?
}
