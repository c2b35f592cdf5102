import Glibc
import Synchronization
@testable import RingIO
import Testing

@Suite("Executor")
struct ExecutorTests {
    @Test func runBodyAndItsChildTasksRunOnTheRingThread() async throws {
        try await Support.withExecutor { executor in
            let onLoop = try await executor.run { () -> [Bool] in
                var results = [executor.isIsolatingCurrentContext() == true]
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<4 { group.addTask { executor.isIsolatingCurrentContext() == true } }
                    for try await result in group { results.append(result) }
                }
                return results
            }
            #expect(onLoop == [true, true, true, true, true])
            #expect(executor.isIsolatingCurrentContext() == false)
        }
    }

    @Test func fileOperationsCalledOffTheRingThreadHopOntoItAndWork() async throws {
        try await Support.withFile(Support.bytes(count: 50_000, seed: 41)) { path, expected in
            try await Support.withExecutor { executor in
                let (bytes, wasOnLoop) = try await Task.detached { () -> ([UInt8], Bool) in
                    let wasOnLoop = executor.isIsolatingCurrentContext() == true
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    _ = try await file.read(into: &lease, range: 0..<1000, at: 777)
                    try await file.close()
                    return (lease.bytes, wasOnLoop)
                }.value
                #expect(!wasOnLoop)
                #expect(bytes == Array(expected[777..<1777]))
                try await executor.nop()
            }
        }
    }

    @Test func actorUsingTheExecutorDoesIOOnTheRingThread() async throws {
        try await Support.withFile(Support.bytes(count: 50_000, seed: 42)) { path, expected in
            try await Support.withExecutor { executor in
                let reader = RingReader(executor: executor)
                let (bytes, isolated) = try await reader.read(path: path, offset: 4321, length: 2000)
                #expect(isolated)
                #expect(bytes == Array(expected[4321..<6321]))
            }
        }
    }

    @Test func moreOperationsThanSlotsQueueInsteadOfFailing() async throws {
        try await Support.withExecutor(count: 8, size: 4096, maxInFlight: 2) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            let readers = (0..<6).map { _ in
                Task(executorPreference: executor) { () -> Int in
                    var lease = try await executor.buffers.lease()
                    return try await file.read(into: &lease, range: 0..<1, at: 0)  // one byte each
                }
            }
            #expect(await Support.waitUntil { executor.buffers.available == 2 }, "all six readers hold a lease")
            // Only two reads can be in flight, the other four wait for a slot; six bytes finish them all.
            pipe.write([7, 7, 7, 7, 7, 7])
            var total = 0
            for reader in readers { total += try await reader.value }
            #expect(total == 6)
            try await executor.run { try await file.close() }
        }
    }

    @Test func moreSQEsInOneTurnThanTheSubmissionQueueHoldsAreFlushed() async throws {
        try await Self.concurrentReads(configuration: .init(entries: 2, buffers: .init(count: 64, size: 4096), maxInFlight: 64))
    }

    @Test(.ioUringOnly("the completion queue is io_uring's"))
    func completionQueueOverflowLosesNoCompletion() async throws {
        var configuration = RingExecutorConfiguration(entries: 2, buffers: .init(count: 64, size: 4096), maxInFlight: 64)
        configuration.completionEntriesOverride = 2
        let executor = try await Self.concurrentReads(configuration: configuration)
        #expect(executor.core.overflowFlushCount.load(ordering: .relaxed) > 0, "the CQ really overflowed")
    }

    @Test func plainSetupFlagsFallbackWorks() async throws {
        let configuration = RingExecutorConfiguration(entries: 8, buffers: .init(count: 8, size: 4096), setupFlags: [])
        let executor = try RingExecutor(configuration: configuration)
        #expect(executor.setupFlags == [])
        await executor.shutdown()
        try await Self.concurrentReads(configuration: configuration)
    }

    @Test(.ioUringOnly("io_uring only"))
    func preferredSetupFlagsAreUsedWhenTheKernelHasThem() async throws {
        try await Support.withExecutor { executor in
            // Whatever the kernel accepted is a subset of what was asked, and I/O works with it.
            #expect(SetupFlags.preferred.isSuperset(of: executor.setupFlags))
            try await executor.nop()
        }
    }

    @Test(.ioUringOnly("needs io_uring: a blocked pipe read on the thread pool cannot be cancelled"))
    func shutdownCancelsInFlightOperationsAndLaterUseThrowsShutDown() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        let pipe = try Pipe()
        defer { pipe.closeAll() }
        let readFD = pipe.takeReadEnd()
        let pipeTarget = Support.target(of: readFD)
        let file = File(unsafeDescriptor: readFD, path: "pipe", on: executor)
        let reader = Task(executorPreference: executor) { () -> Int in
            var lease = try await executor.buffers.lease()
            return try await file.read(into: &lease, at: 0)
        }
        // Taking the lease and preparing the read happen in one job, so the read is then in flight.
        #expect(await Support.waitUntil { executor.buffers.available == 1 })
        await executor.shutdown()
        let error = await #expect(throws: RingIOError.self) { try await reader.value }
        #expect(error?.code == .shutDown)
        #expect(error?.errno == .canceled)
        #expect(executor.isShutDown)
        #expect(executor.buffers.available == 2, "the in-flight read's lease came back")

        let openError = await #expect(throws: RingIOError.self) { _ = try await File.open("/etc/hostname", on: executor) }
        #expect(openError?.code == .shutDown)
        let leaseError = await #expect(throws: RingIOError.self) { _ = try await executor.buffers.lease() }
        #expect(leaseError?.code == .shutDown)
        let runError = await #expect(throws: RingIOError.self) { try await executor.run { } }
        #expect(runError?.code == .shutDown)
        await executor.shutdown()  // a second call is harmless

        // close() after shutdown still closes the descriptor.
        try await file.close()
        #expect(pipeTarget != nil && Support.target(of: readFD) != pipeTarget)
    }

    @Test(.ioUringOnly("the thread-pool backend has no eventfd"))
    func shutdownClosesTheWakeUpEventFDWhileTheExecutorStillExists() async throws {
        let executor = try Support.makeExecutor()
        guard case .ioUring(let backend) = executor.core.backend else {
            Issue.record("expected the io_uring backend: \(executor.capabilities)")
            return
        }
        let fd = backend.eventFD
        let id = try #require(Support.eventFDID(fd), "the wake-up eventfd is open while running")
        // Our own reference keeps that eventfd (and so its id) alive: a descriptor number reused
        // by another test's eventfd after the close then shows a different id.
        let copy = dup(fd)
        defer { close(copy) }
        await executor.shutdown()
        #expect(Support.eventFDID(fd) != id, "shutdown() closed the eventfd")
        // Tasks still run on the executor's thread after shutdown (woken without the eventfd).
        let stillRuns = await Task(executorPreference: executor) { executor.core.isLoopThread }.value
        #expect(stillRuns)
        withExtendedLifetime(executor) {}
    }

    @Test func nopRoundTripsThroughTheRing() async throws {
        try await Support.withExecutor { executor in
            try await executor.run {
                for _ in 0..<1000 { try await executor.nop() }
            }
        }
    }

    /// 64 tasks each read 50 random 4 KiB blocks and compare them with what pwrite wrote.
    @discardableResult
    static func concurrentReads(configuration: RingExecutorConfiguration) async throws -> RingExecutor {
        var used: RingExecutor?
        try await Support.withFile(Support.bytes(count: 1 << 20, seed: 43)) { path, expected in
            let executor = try RingExecutor(configuration: configuration)
            let mismatches = try await executor.run { () -> Int in
                let file = try await File.open(path, on: executor)
                let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                    for task in 0..<64 {
                        group.addTask {
                            var lease = try await executor.buffers.lease()
                            var random = SplitMix(seed: UInt64(task) + 500)
                            var mismatches = 0
                            for _ in 0..<50 {
                                let offset = Int(random.next() % 256) * 4096
                                let n = try await file.read(into: &lease, at: Int64(offset))
                                if n != 4096 || lease.bytes != Array(expected[offset..<(offset + 4096)]) { mismatches += 1 }
                            }
                            return mismatches
                        }
                    }
                    return try await group.reduce(0, +)
                }
                try await file.close()
                return mismatches
            }
            #expect(mismatches == 0)
            #expect(executor.buffers.available == configuration.buffers.count)
            await executor.shutdown()
            used = executor
        }
        return used!
    }
}

/// An actor whose executor is the ring executor.
actor RingReader {
    let executor: RingExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(executor: RingExecutor) { self.executor = executor }

    func read(path: String, offset: Int64, length: Int) async throws -> ([UInt8], Bool) {
        let file = try await File.open(path, on: executor)
        var lease = try await executor.buffers.lease()
        _ = try await file.read(into: &lease, range: 0..<length, at: offset)
        let isolated = executor.isIsolatingCurrentContext() == true
        try await file.close()
        return (lease.bytes, isolated)
    }
}
