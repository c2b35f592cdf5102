import CRingIO
import Glibc
@testable import RingIO
import Synchronization
import Testing

@Suite("Executor groups")
struct ExecutorGroupTests {
    @Test func everyLoopReadsOneFileAtOnceWithLeasesFromTheOnePool() async throws {
        let expected = Support.bytes(count: 1 << 20, seed: 11)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 8, size: 16 << 10) { group in
                #expect(group.loops.count == 2)
                #expect(group.loops.allSatisfy { $0.buffers === group.buffers })
                let file = try await File.open(path, on: group)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    for (index, loop) in group.loops.enumerated() {
                        for reader in 0..<3 {
                            tasks.addTask {
                                try await loop.run {
                                    #expect(group.currentLoop === loop)
                                    #expect(file.loopForThisCall.executor === loop, "I/O runs on the caller's loop")
                                    var random = UInt64(index * 10 + reader + 1)
                                    var lease = try await group.buffers.lease()
                                    for _ in 0..<200 {
                                        random = random &* 6364136223846793005 &+ 1442695040888963407
                                        let offset = Int64((random >> 33) % UInt64(expected.count - lease.capacity))
                                        let n = try await file.read(into: &lease, at: offset)
                                        #expect(n == lease.capacity)
                                        #expect(lease.bytes == Array(expected[Int(offset)..<(Int(offset) + n)]))
                                    }
                                }
                            }
                        }
                    }
                    try await tasks.waitForAll()
                }
                #expect(group.buffers.available == 8)
                try await file.close()
            }
        }
    }

    @Test func writesFromEveryLoopLandWherePreadFindsThem() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let path = directory + "/written.bin"
        let block = 4096
        let expected = Support.bytes(count: block * 64, seed: 5)
        try await Support.withGroup(loops: 2, count: 4, size: block) { group in
            let file = try await File.open(path, mode: .writeOnly, options: [.create, .truncate], on: group)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (index, loop) in group.loops.enumerated() {
                    tasks.addTask {
                        try await loop.run {
                            var lease = try await group.buffers.lease()
                            // Loop 0 writes the even blocks, loop 1 the odd ones.
                            for blockIndex in stride(from: index, to: 64, by: 2) {
                                lease.copy(from: expected[(blockIndex * block)..<((blockIndex + 1) * block)])
                                try await file.writeFully(from: lease, at: Int64(blockIndex * block))
                            }
                        }
                    }
                }
                try await tasks.waitForAll()
            }
            try await file.close()
        }
        #expect(Support.preadFile(path) == expected)
    }

    @Test func aLeaseTakenOnOneLoopIsReadIntoOnAnother() async throws {
        let expected = Support.bytes(count: 100_000, seed: 8)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 2, size: 8192) { group in
                let (first, second) = (group.loops[0], group.loops[1])
                let file = try await first.run { try await File.open(path, on: group) }
                #expect(file.executor === first, "opened on the caller's loop")
                try await first.run {
                    var lease = try await group.buffers.lease()
                    #expect(group.currentLoop === first)
                    // The task moves to the second loop, lease in hand; its read runs on that ring.
                    try await withTaskExecutorPreference(second) { @concurrent in
                        #expect(group.currentLoop === second)
                        #expect(file.loopForThisCall.executor === second)
                        #expect(file.loopForThisCall.fixedSlot == -1, "another loop names the file by its descriptor")
                        let n = try await file.read(into: &lease, at: 1000)
                        #expect(n == 8192)
                    }
                    #expect(group.currentLoop === first)
                    #expect(lease.bytes == Array(expected[1000..<9192]))
                    // And back on the first loop, the same lease reads again, there.
                    let n = try await file.read(into: &lease, at: 50_000)
                    #expect(n == 8192)
                    #expect(lease.bytes == Array(expected[50_000..<58_192]))
                }
                try await file.close()
            }
        }
    }

    @Test(.ioUringOnly("cloning is io_uring's")) func laterLoopsCloneTheFirstLoopsRegistration() async throws {
        try await Support.withGroup(loops: 3, count: 4, size: 4096) { group in
            let sharing = group.capabilities.map(\.bufferSharing)
            if Support.backendUnderTest == "unregistered" {
                #expect(sharing == [.unregistered, .unregistered, .unregistered])
                #expect(group.capabilities.allSatisfy { !$0.fixedBuffers })
            } else {
                #expect(sharing == [.cloned, .cloned, .cloned], "\(group.capabilities)")
                #expect(group.capabilities.allSatisfy { $0.fixedBuffers })
            }
        }
    }

    @Test(.ioUringOnly("cloning is io_uring's")) func whereTheKernelRefusesCloningEachLoopRegistersThePoolAndStillReads() async throws {
        let expected = Support.bytes(count: 64 << 10, seed: 3)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 2, size: 4096, forceCloneRefusal: true) { group in
                if Support.backendUnderTest == "iouring" {
                    #expect(group.capabilities.map(\.bufferSharing) == [.registeredPerLoop, .registeredPerLoop])
                    #expect(group.capabilities[1].fixedBuffers)
                    #expect(group.capabilities[1].notes.contains { $0.contains("refused IORING_REGISTER_CLONE_BUFFERS") }, "\(group.capabilities[1])")
                }
                let file = try await File.open(path, on: group)
                try await group.loops[1].run {
                    var lease = try await group.buffers.lease()
                    let n = try await file.read(into: &lease, at: 4096)
                    #expect(n == 4096)
                    #expect(lease.bytes == Array(expected[4096..<8192]))
                }
                try await file.close()
            }
        }
    }

    @Test func reregisteringTheGroupsPoolSwapsItOnEveryLoop() async throws {
        let expected = Support.bytes(count: 256 << 10, seed: 4)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 2, size: 4096) { group in
                let file = try await File.open(path, on: group)
                try await group.buffers.reregister(count: 3, size: 16 << 10)
                #expect(group.buffers.count == 3)
                #expect(group.buffers.bufferSize == 16 << 10)
                for loop in group.loops {
                    try await loop.run {
                        var lease = try await group.buffers.lease()
                        let n = try await file.read(into: &lease, at: 8192)
                        #expect(n == 16 << 10)
                        #expect(lease.bytes == Array(expected[8192..<(8192 + n)]))
                    }
                }
                try await file.close()
            }
        }
    }

    @Test(.ioUringOnly("needs io_uring: a blocked pipe read on the thread pool cannot be cancelled"))
    func groupShutdownWithReadsInFlightOnEveryLoopGivesEveryLeaseBack() async throws {
        let group = try RingExecutorGroup(configuration: Support.groupConfiguration(loops: 2, count: 4, size: 4096))
        var pipes: [Pipe] = []
        defer { for pipe in pipes { pipe.closeAll() } }
        var readers: [Task<Int, any Error>] = []
        for (index, loop) in group.loops.enumerated() {
            for _ in 0..<2 {
                let pipe = try Pipe()
                pipes.append(pipe)
                let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe \(index)", on: loop)
                readers.append(Task(executorPreference: loop) {
                    var lease = try await group.buffers.lease()
                    return try await file.read(into: &lease, at: 0)
                })
            }
        }
        // Each task takes its lease and prepares its read in one job: all four are then in flight.
        #expect(await Support.waitUntil { group.buffers.available == 0 })
        await group.shutdown()
        for reader in readers {
            let error = await #expect(throws: RingIOError.self) { try await reader.value }
            #expect(error?.code == .shutDown)
        }
        #expect(group.isShutDown)
        #expect(group.buffers.available == 4, "every in-flight read's lease came back")
        let leaseError = await #expect(throws: RingIOError.self) { _ = try await group.buffers.lease() }
        #expect(leaseError?.code == .shutDown)
        await group.shutdown()  // a second call is harmless
    }

    @Test(.ioUringOnly("its pipe reads end only when cancelled, which a blocking read on the thread pool cannot be"))
    func aCancellationStormOnEveryLoopGivesEveryLeaseBackAndEveryCompletedReadIsRight() async throws {
        try await Support.withFile(Support.bytes(count: 2 << 20, seed: 34)) { path, expected in
            try await Support.withGroup(loops: 2, count: 16, size: 4096) { group in
                let pipes = [try Pipe(), try Pipe()]
                defer { for pipe in pipes { pipe.closeAll() } }
                let file = try await File.open(path, on: group)
                let pipeFiles = group.loops.enumerated().map { index, loop in
                    File(unsafeDescriptor: pipes[index].takeReadEnd(), path: "pipe \(index)", on: loop)
                }
                let tally = Tally()
                var tasks: [Task<Void, Never>] = []
                var random = SplitMix(seed: 2026)
                for index in 0..<2000 {
                    let loopIndex = index % 2
                    let loop = group.loops[loopIndex]
                    let usePipe = index % 10 < 2  // these never complete unless cancelled
                    let offset = Int(random.next() % UInt64(expected.count - 4096))
                    let length = 1 + Int(random.next() % 4096)
                    tasks.append(Task(executorPreference: loop) {
                        do {
                            var lease = try await group.buffers.lease()
                            if usePipe {
                                _ = try await pipeFiles[loopIndex].read(into: &lease, at: 0)
                                await tally.wrong()
                            } else {
                                let n = try await file.read(into: &lease, range: 0..<length, at: Int64(offset))
                                let right = n == length && lease.bytes == Array(expected[offset..<(offset + length)])
                                if right { await tally.correct() } else { await tally.wrong() }
                            }
                        } catch is CancellationError {
                            await tally.cancelled()
                        } catch {
                            await tally.wrong()
                        }
                    })
                    if random.next() % 3 == 0 { tasks[Int(random.next() % UInt64(tasks.count))].cancel() }
                    if usePipe { tasks[index].cancel() }
                    if index % 64 == 0 { await Task.yield() }
                }
                for task in tasks { await task.value }
                let counts = await tally.counts
                #expect(counts.wrong == 0)
                #expect(counts.correct + counts.cancelled == 2000)
                #expect(counts.cancelled >= 400, "every pipe read had to be cancelled")
                #expect(group.buffers.available == 16)
                try await file.close()
                for pipeFile in pipeFiles { try await pipeFile.close() }
            }
        }
    }

    @Test func runFromOutsideTheGroupGoesRoundRobinAndFromALoopStaysThere() async throws {
        try await Support.withGroup(loops: 2, count: 2, size: 4096) { group in
            #expect(group.currentLoop == nil)
            var seen: [ObjectIdentifier] = []
            for _ in 0..<4 {
                let loop = try await group.run { group.currentLoop.map(ObjectIdentifier.init) }
                seen.append(try #require(loop))
            }
            #expect(seen[0] != seen[1] && seen[0] == seen[2] && seen[1] == seen[3], "round-robin over the loops")
            let stays = try await group.loops[1].run {
                try await group.run { group.currentLoop === group.loops[1] }
            }
            #expect(stays, "run from a loop of the group stays on it")
        }
    }

    @Test func tasksThatPreferTheGroupSpreadFromOutsideAndDoTheirIOInlineOnTheirLoop() async throws {
        let expected = Support.bytes(count: 256 << 10, seed: 21)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 8, size: 4096) { group in
                let file = try await File.open(path, on: group)
                var tasks: [Task<ObjectIdentifier, any Error>] = []
                for index in 0..<8 {
                    tasks.append(Task(executorPreference: group) {
                        let loop = try #require(group.currentLoop, "a task that prefers the group runs on one of its loops")
                        var lease = try await group.buffers.lease()
                        for round in 0..<20 {
                            let offset = (index * 20 + round) * 1024 % (expected.count - 4096)
                            #expect(file.loopForThisCall.executor === group.currentLoop, "the read runs on the loop the task is on")
                            let n = try await file.read(into: &lease, at: Int64(offset))
                            #expect(n == 4096)
                            #expect(lease.bytes == Array(expected[offset..<(offset + 4096)]))
                        }
                        #expect(group.currentLoop === loop, "resumed by its loop's completions, the task stayed there")
                        return ObjectIdentifier(loop)
                    })
                }
                var loops = Set<ObjectIdentifier>()
                for task in tasks { loops.insert(try await task.value) }
                #expect(loops.count == 2, "tasks started from outside the group go round-robin")
                try await file.close()
            }
        }
    }

    @Test func childTasksStartedOnOneLoopSpreadOverTheLoopsAndStayWhereTheirIOResumesThem() async throws {
        let expected = Support.bytes(count: 256 << 10, seed: 23)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 16, size: 4096) { group in
                let file = try await File.open(path, on: group)
                let loops = try await withTaskExecutorPreference(group) {
                    let parent = try #require(group.currentLoop, "a task that prefers the group runs on one of its loops")
                    return try await withThrowingTaskGroup(of: ObjectIdentifier.self) { children in
                        // All started from the parent's loop, without a suspension in between.
                        for index in 0..<16 {
                            children.addTask {
                                let loop = try #require(group.currentLoop)
                                var lease = try await group.buffers.lease()
                                for round in 0..<10 {
                                    let offset = (index * 10 + round) * 1536 % (expected.count - 4096)
                                    let n = try await file.read(into: &lease, at: Int64(offset))
                                    #expect(n == 4096)
                                    #expect(lease.bytes == Array(expected[offset..<(offset + 4096)]))
                                    #expect(group.currentLoop === loop, "a task resumed by its read stays on the loop that completed it")
                                }
                                return ObjectIdentifier(loop)
                            }
                        }
                        var seen: [ObjectIdentifier: Int] = [:]
                        for try await loop in children { seen[loop, default: 0] += 1 }
                        _ = parent
                        return seen
                    }
                }
                #expect(loops.count == 2, "children of a task on one loop spread to the other when it is busier: \(loops.values)")
                try await file.close()
            }
        }
    }

    /// Hops from loop 0 onto loop 1 (asleep in its ring) and back, `count` times; how many hops
    /// ran on loop 1 and came back to loop 0.
    static func hopBetweenLoops(_ group: RingExecutorGroup, count: Int) async throws -> Int {
        let (first, second) = (group.loops[0], group.loops[1])
        return try await first.run {
            var landed = 0
            for _ in 0..<count {
                let there = try await second.run { group.currentLoop === second }
                if there && group.currentLoop === first { landed += 1 }
            }
            return landed
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: [RingExecutorGroup.Configuration.CrossLoopWakeup.message, .eventFD])
    func loopsWakeEachOtherWithEitherWakeup(_ wakeup: RingExecutorGroup.Configuration.CrossLoopWakeup) async throws {
        var configuration = Support.groupConfiguration(loops: 2, count: 2, size: 4096)
        configuration.crossLoopWakeup = wakeup
        let group = try RingExecutorGroup(configuration: configuration)
        let landed = try await Self.hopBetweenLoops(group, count: 200)
        await group.shutdown()
        #expect(landed == 200)
    }

    @Test(.timeLimit(.minutes(1)))
    func loopsThatSpinWhenIdleTakeHopsAndStillSleepAndShutDown() async throws {
        var configuration = Support.groupConfiguration(loops: 2, count: 2, size: 4096)
        configuration.executor.idleSpin = .microseconds(200)
        let group = try RingExecutorGroup(configuration: configuration)
        let landed = try await Self.hopBetweenLoops(group, count: 200)
        // After the spin the loop blocks as usual: a hop from outside still wakes it.
        while !group.loops[1].core.mailbox.loopIsAsleep { await Task.yield() }
        let woken = try await group.loops[1].run { group.currentLoop === group.loops[1] }
        await group.shutdown()
        #expect(landed == 200)
        #expect(woken)
    }

    @Test(.ioUringOnly("wake-up messages are io_uring's"), .timeLimit(.minutes(1)))
    func aWakeupMessageThatFailsFallsBackToTheEventFD() async throws {
        var configuration = Support.groupConfiguration(loops: 2, count: 2, size: 4096)
        configuration.executor.forceFailedWakeMessages = true
        let group = try RingExecutorGroup(configuration: configuration)
        // Every message fails (EBADFD: its target is no ring); each hop still arrives.
        let landed = try await Self.hopBetweenLoops(group, count: 200)
        await group.shutdown()
        #expect(landed == 200)
    }

    @Test func aPipelineOfATaskThatPrefersTheGroupStaysOnItsLoopWhileAnotherLoopGivesItALease() async throws {
        let expected = Support.bytes(count: 64 << 10, seed: 22)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 2, size: 4096) { group in
                let file = try await File.open(path, on: group)
                // Loop 1 holds both buffers until the pipeline's task waits for one.
                let holder = Task(executorPreference: group.loops[1]) {
                    let first = try await group.buffers.lease()
                    let second = try await group.buffers.lease()
                    _ = await Support.waitUntil { group.buffers.waitingCount == 1 }
                    // Given back here, on loop 1.
                    _ = consume first
                    _ = consume second
                }
                #expect(await Support.waitUntil { group.buffers.available == 0 })
                let bytes = try await group.loops[0].run {
                    try await Task(executorPreference: group) {
                        #expect(group.currentLoop === group.loops[0], "started on the loop that created it")
                        return try await file.withPipeline(depth: 1) { pipeline -> [UInt8] in
                            let lease = try await group.buffers.lease()  // resumed by loop 1's release
                            #expect(group.currentLoop === group.loops[0], "the pipeline's task came back to its loop")
                            try await pipeline.read(into: lease, at: 8192)
                            let completion = try await pipeline.next()
                            switch consume completion {
                            case .some(let completion):
                                #expect(try completion.result.get() == 4096)
                                return completion.lease.bytes
                            case .none:
                                Issue.record("the pipeline's read did not complete")
                                return []
                            }
                        }
                    }.value
                }
                try await holder.value
                #expect(bytes == Array(expected[8192..<12288]))
                #expect(group.buffers.available == 2)
                try await file.close()
            }
        }
    }

    @Test func aLoopStalledByABlockingCallDoesNotStallTheOthers() async throws {
        let expected = Support.bytes(count: 64 << 10, seed: 23)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 2, size: 4096) { group in
                let file = try await File.open(path, on: group)
                let gate = BlockingGate()
                // A blocking call in a task on loop 0 holds that loop's thread.
                let stalled = Task(executorPreference: group.loops[0]) { gate.block() }
                #expect(await Support.waitUntil { gate.isBlocking })
                let bytes = try await group.loops[1].run {
                    var lease = try await group.buffers.lease()
                    let n = try await file.read(into: &lease, at: 4096)
                    #expect(n == 4096)
                    #expect(gate.isBlocking, "loop 0 was still stalled while loop 1 did its I/O")
                    return lease.bytes
                }
                #expect(bytes == Array(expected[4096..<8192]))
                gate.open()
                await stalled.value
                try await file.close()
            }
        }
    }

    @Test func aSecondShutdownLeavesARingThatReusedTheDescriptorAlone() async throws {
        // The group's registration ring is closed at the first shutdown; a new executor's ring
        // may then get its descriptor number. Shutting the group down again (and freeing it) must
        // not unregister that ring's buffers.
        let expected = Support.bytes(count: 64 << 10, seed: 24)
        try await Support.withFile(expected) { path, expected in
            var group: RingExecutorGroup? = try RingExecutorGroup(configuration: Support.groupConfiguration(loops: 2, count: 2, size: 4096))
            await group?.shutdown()
            // Without SINGLE_ISSUER, which would refuse a register call from this thread anyway.
            try await Support.withExecutor(count: 2, size: 4096, flags: [.coopTaskrun, .submitAll]) { executor in
                await group?.shutdown()
                group = nil
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    let n = try await file.read(into: &lease, at: 4096)
                    #expect(n == 4096)
                    #expect(lease.bytes == Array(expected[4096..<8192]))
                    try await file.close()
                }
            }
        }
    }

    @Test func aLoopCountOutsideTheRangeIsRefusedBeforeAnyLoopStarts() async throws {
        var configuration = Support.groupConfiguration()
        configuration.loops = 0
        let error = #expect(throws: RingIOError.self) { _ = try RingExecutorGroup(configuration: configuration) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.errno == .invalidArgument)
    }

    @Test func pinnedLoopsRunOnTheCPUsTheyWereGiven() async throws {
        var configuration = Support.groupConfiguration(loops: 2, count: 2, size: 4096)
        configuration.pinsLoopsToCPUs = true
        let group = try RingExecutorGroup(configuration: configuration)
        let cpus = RingExecutorGroup.allowedCPUs()
        for (index, loop) in group.loops.enumerated() {
            let cpu = try await loop.run { ringio_current_cpu() }
            #expect(cpu == cpus[index % cpus.count])
        }
        await group.shutdown()
    }

    /// The group as Swift's global executor, in a process of its own (`ringio-demo
    /// --check-global-executor`), since installing it is process-wide.
    @Test func installedAsTheGlobalExecutorOrdinaryTasksRunOnTheLoopsAndDoTheirIOThere() throws {
        let expected = Support.bytes(count: 100_000, seed: 31)
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let path = directory + "/data"
        Support.pwriteFile(path, expected)
        let demo = try #require(Support.demoBinary(), "the ringio-demo executable is built alongside the tests")
        let result = Support.run(demo, ["--check-global-executor", path, "--loops", "2"] + (Support.testingThreadPool ? ["--thread-pool"] : []))
        #expect(result.status == 0, "\(result.output)")
        var facts: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            for pair in line.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { facts[String(parts[0])] = String(parts[1]) }
            }
        }
        #expect(facts["backend"] == (Support.testingThreadPool ? "threadPool" : "ioUring"), "\(result.output)")
        guard GlobalEnqueueHook.isAvailableInThisBuild else {
            #expect(result.output.contains("installed=unsupported"), "the public-API build refuses, saying why: \(result.output)")
            return
        }
        var checksum: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in expected { checksum = (checksum ^ UInt64(byte)) &* 0x100_0000_01b3 }
        #expect(facts["installed"] == "true", "\(result.output)")
        #expect(facts["secondInstall"] == "unsupported", "a second install is refused: \(result.output)")
        #expect(facts["startedOnLoop"] == "true", "an ordinary task starts on a loop: \(result.output)")
        #expect(facts["checksum"] == String(checksum, radix: 16), "the bytes read are the bytes written: \(result.output)")
        #expect(facts["reads"] == "\((expected.count + 4095) / 4096)", "\(result.output)")
        #expect(facts["offLoop"] == "0", "every read resumed the task on a loop: \(result.output)")
        #expect(facts["actorOnLoop"] == "true", "a default actor runs on a loop: \(result.output)")
        #expect(facts["otherLoopsProgressWhileOneIsStalled"] == "true", "\(result.output)")
        #expect(facts["installedAfterShutdown"] == "false", "\(result.output)")
        #expect(facts["taskAfterShutdown"] == "swiftsPool", "after shutdown tasks go to Swift's own pool: \(result.output)")
        #expect(facts["readAfterShutdown"] == "shutDown", "\(result.output)")
        #expect(facts["secondGroupInstalled"] == "true", "\(result.output)")
    }
}

/// A blocking wait on a POSIX semaphore (what a blocking syscall does to a loop's thread).
final class BlockingGate: @unchecked Sendable {
    // Safety of @unchecked: the semaphore is made for use from many threads; the flag is atomic.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private let blocking = Atomic<Bool>(false)

    init() { sem_init(semaphore, 0, 0) }
    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Whether a thread is blocked in `block()`.
    var isBlocking: Bool { blocking.load(ordering: .acquiring) }

    /// Blocks the calling thread until `open()`.
    func block() {
        blocking.store(true, ordering: .releasing)
        while sem_wait(semaphore) != 0 {}
        blocking.store(false, ordering: .releasing)
    }

    /// Lets `block()` return.
    func open() { sem_post(semaphore) }
}
