import Glibc
@testable import RingIO
import Synchronization
import Testing

@Suite("Pipelines: many reads and writes from one task")
struct PipelineTests {
    @Test func pipelinedReadsReturnTheBytesWrittenByPwriteWithTheirTagOffsetAndRange() async throws {
        try await Support.withFile(Support.bytes(count: 1_000_003, seed: 11)) { path, expected in
            try await Support.withExecutor(count: 8, size: 16 << 10) { executor in
                let checked = try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var random = SplitMix(seed: 5)
                    var submitted = 0
                    var mismatches = 0
                    var completed = 0
                    var requests: [Int: (offset: Int64, range: Range<Int>)] = [:]
                    try await file.withPipeline(depth: 8) { pipeline in
                        nonisolated(nonsending) func submit(_ lease: consuming BufferLease, _ pipeline: inout IOPipeline) async throws {
                            let start = Int(random.next() % 4096)
                            let length = Int(random.next() % UInt64(lease.capacity - start))
                            let offset = Int64(random.next() % UInt64(expected.count + 5_000))
                            try await pipeline.read(into: lease, range: start..<(start + length), at: offset, tag: submitted)
                            requests[submitted] = (offset, start..<(start + length))
                            submitted += 1
                        }
                        for _ in 0..<8 { try await submit(try await executor.buffers.lease(), &pipeline) }
                        let (pending, hasRoom) = (pipeline.pending, pipeline.hasRoom)
                        #expect(pending == 8)
                        #expect(!hasRoom)
                        while let completion = try await pipeline.next() {
                            completed += 1
                            let n = try completion.result.get()
                            let (isWrite, tag, range, count) = (completion.isWrite, completion.tag, completion.range, completion.lease.count)
                            #expect(!isWrite)
                            let request = requests.removeValue(forKey: tag)
                            #expect(request?.offset == completion.offset, "tag \(tag)")
                            #expect(request?.range == range, "tag \(tag)")
                            let offset = Int(completion.offset)
                            let available = max(0, min(range.count, expected.count - offset))
                            #expect(n == available, "offset \(offset) length \(range.count)")
                            #expect(count == range.lowerBound + n)
                            let got = completion.lease.withUnsafeBytes { Array($0[completion.range.lowerBound..<(completion.range.lowerBound + n)]) }
                            if got != Array(expected[min(offset, expected.count)..<(min(offset, expected.count) + n)]) { mismatches += 1 }
                            if submitted < 400 { try await submit(completion.takeLease(), &pipeline) }
                        }
                        let pendingAtEnd = pipeline.pending
                        #expect(pendingAtEnd == 0)
                    }
                    #expect(mismatches == 0)
                    #expect(completed == 400)
                    #expect(requests.isEmpty)
                    #expect(executor.buffers.available == 8)
                    try await file.close()
                    return completed
                }
                #expect(checked == 400)
            }
        }
    }

    @Test func pipelinedWritesAreReadBackByPread() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let path = directory + "/written.bin"
        let block = 8192
        let blocks = 64
        let expected = Support.bytes(count: block * blocks, seed: 3)
        let executor = try Support.makeExecutor(count: 6, size: block)
        try await executor.run {
            let file = try await File.open(path, mode: .writeOnly, options: [.create, .truncate], on: executor)
            try await file.withPipeline(depth: 6) { pipeline in
                // Blocks in reverse order, so offsets, not submission order, decide where data lands.
                var next = blocks - 1
                nonisolated(nonsending) func submit(_ lease: consuming BufferLease, _ pipeline: inout IOPipeline) async throws {
                    var lease = lease
                    lease.copy(from: expected[(next * block)..<((next + 1) * block)])
                    try await pipeline.write(from: lease, at: Int64(next * block), tag: next)
                    next -= 1
                }
                while pipeline.hasRoom { try await submit(try await executor.buffers.lease(), &pipeline) }
                while let completion = try await pipeline.next() {
                    let (isWrite, offset, tag, result) = (completion.isWrite, completion.offset, completion.tag, completion.result)
                    #expect(isWrite)
                    #expect(try result.get() == block)
                    #expect(offset == Int64(tag * block))
                    if next >= 0 { try await submit(completion.takeLease(), &pipeline) }
                }
            }
            try await file.close()
        }
        await executor.shutdown()
        #expect(Support.preadFile(path) == expected)
    }

    @Test func aFailedOperationCompletesWithItsErrnoAndGivesTheLeaseBack() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 2)) { path, _ in
            try await Support.withExecutor(count: 2) { executor in
                try await executor.run {
                    // Reading a descriptor opened write-only: the kernel answers EBADF.
                    let file = try await File.open(path, mode: .writeOnly, on: executor)
                    try await file.withPipeline(depth: 2) { pipeline in
                        try await pipeline.read(into: try await executor.buffers.lease(), at: 0, tag: 7)
                        let completion = try await pipeline.next()
                        switch consume completion {
                        case .some(let completion):
                            let (tag, count) = (completion.tag, completion.lease.count)
                            #expect(tag == 7)
                            #expect(count == 0)
                            switch completion.result {
                            case .success(let n): Issue.record("a read of a write-only descriptor returned \(n)")
                            case .failure(let error):
                                #expect(error.errno == .badFileDescriptor)
                                #expect(error.path == path)
                                #expect(error.operation == .readFixed)
                            }
                        case .none:
                            Issue.record("no completion")
                        }
                        let another = try await pipeline.next()
                        let isNil = another == nil
                        #expect(isNil)
                    }
                    #expect(executor.buffers.available == 2)
                    try await file.close()
                }
            }
        }
    }

    @Test func submittingMoreThanTheDepthThrowsInvalidArgumentAndReturnsTheLease() async throws {
        try await Support.withFile(Support.bytes(count: 100_000, seed: 4)) { path, _ in
            try await Support.withExecutor(count: 4) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    try await file.withPipeline(depth: 2) { pipeline in
                        try await pipeline.read(into: try await executor.buffers.lease(), at: 0)
                        try await pipeline.read(into: try await executor.buffers.lease(), at: 0)
                        do {
                            try await pipeline.read(into: try await executor.buffers.lease(), at: 0)
                            Issue.record("a third read in a depth-2 pipeline was accepted")
                        } catch let error as RingIOError {
                            #expect(error.code == .invalidArgument)
                            #expect(error.errno == .invalidArgument)
                            #expect(error.description.contains("next()"))
                        }
                        // The refused lease is back; the two in flight are not.
                        #expect(executor.buffers.available == 2)
                        // A range outside the lease is refused the same way, before anything is submitted.
                        _ = try await pipeline.next()
                        let lease = try await executor.buffers.lease()
                        let capacity = lease.capacity
                        do {
                            try await pipeline.read(into: lease, range: 0..<(capacity + 1), at: 0)
                            Issue.record("a range past the lease's end was accepted")
                        } catch let error as RingIOError {
                            #expect(error.code == .invalidArgument)
                        }
                        let pending = pipeline.pending
                        #expect(pending == 1)
                    }
                    #expect(executor.buffers.available == 4)
                    try await file.close()
                }
            }
        }
    }

    @Test func leavingThePipelineWithOperationsPendingWaitsForThemBeforeTheLeasesGoBack() async throws {
        try await Support.withFile(Support.bytes(count: 1 << 20, seed: 6)) { path, _ in
            try await Support.withExecutor(count: 8) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    let pending = try await file.withPipeline(depth: 8) { pipeline in
                        // The README's pattern: fill the pipeline with what the pool has free.
                        var index: Int64 = 0
                        while pipeline.hasRoom, let lease = executor.buffers.tryLease() {
                            try await pipeline.read(into: lease, at: index << 16)
                            index += 1
                        }
                        return pipeline.pending
                    }
                    #expect(pending == 8)
                    #expect(executor.buffers.available == 8)

                    struct Abandon: Error {}
                    await #expect(throws: Abandon.self) {
                        try await file.withPipeline(depth: 4) { pipeline in
                            for _ in 0..<4 { try await pipeline.read(into: try await executor.buffers.lease(), at: 0) }
                            throw Abandon()
                        }
                    }
                    #expect(executor.buffers.available == 8)
                    try await file.close()
                }
            }
        }
    }

    @Test func pipelinesRefuseStreamsAndBadDepths() async throws {
        try await Support.withExecutor { executor in
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            defer { close(fds[1]) }
            let readFD = fds[0]
            try await executor.run {
                let readEnd = File(unsafeDescriptor: readFD, path: "fifo-under-test", on: executor)
                do {
                    try await readEnd.withPipeline(depth: 4) { _ in Issue.record("a pipe got a pipeline") }
                } catch let error as RingIOError {
                    #expect(error.errno == .invalidArgument)
                    #expect(error.operation == .pipeline)
                    #expect(error.description.contains("pipe, socket or character device"))
                }
                try await readEnd.close()
                try await Support.withFile([1, 2, 3]) { path, _ in
                    let file = try await File.open(path, on: executor)
                    // makeExecutor's 64 entries give an in-flight limit of 128.
                    for depth in [0, -1, 129, 65_537] {
                        do {
                            try await file.withPipeline(depth: depth) { _ in Issue.record("depth \(depth) accepted") }
                        } catch let error as RingIOError {
                            #expect(error.code == .invalidArgument)
                            #expect(error.description.contains("(got \(depth))"))
                            #expect(error.description.contains("maxInFlight"))
                        }
                    }
                    try await file.withPipeline(depth: 128) { pipeline in
                        let depth = pipeline.depth
                        #expect(depth == 128)
                    }
                    try await file.close()
                    do {
                        try await file.withPipeline(depth: 1) { _ in Issue.record("a closed file got a pipeline") }
                    } catch let error as RingIOError {
                        #expect(error.errno == .badFileDescriptor)
                    }
                }
            }
        }
    }

    @Test func aCancelledTaskCannotSubmitButGetsEveryCompletionAndLeaseBack() async throws {
        // /tmp (ext4) and /dev/shm (tmpfs, where waiting in next() installs the cancellation
        // hook). Page-cache reads finish before a cancel could reach them, so this checks the
        // task's side (refused submissions, data, leases); the ASYNC_CANCEL path itself is
        // covered by the blocked-pipe test below.
        for directory in ["/tmp", "/dev/shm"] where access(directory, W_OK) == 0 {
            let path = directory + "/ringio-pipeline-cancel-\(getpid()).bin"
            let expected = Support.bytes(count: 1 << 20, seed: 8)
            Support.pwriteFile(path, expected)
            defer { unlink(path) }
            try await Support.withExecutor(count: 8, size: 4096) { executor in
                let (completions, refused, mismatches) = try await executor.run {
                    let file = try await File.open(path, on: executor)
                    let task = Task {
                        try await file.withPipeline(depth: 8) { pipeline -> (Int, Bool, Int) in
                            for index in 0..<8 { try await pipeline.read(into: try await executor.buffers.lease(), at: Int64(index) * 4096, tag: index) }
                            withUnsafeCurrentTask { $0?.cancel() }
                            var completions = 0
                            var mismatches = 0
                            var refused = false
                            while let completion = try await pipeline.next() {
                                completions += 1
                                switch completion.result {
                                case .success(let n):
                                    let offset = Int(completion.offset)
                                    if completion.lease.bytes != Array(expected[offset..<(offset + n)]) { mismatches += 1 }
                                case .failure(let error):
                                    if error.errno != .canceled { mismatches += 1 }
                                }
                                do {
                                    try await pipeline.read(into: completion.takeLease(), at: 0)
                                } catch is CancellationError {
                                    refused = true
                                }
                            }
                            return (completions, refused, mismatches)
                        }
                    }
                    let outcome = try await task.value
                    #expect(executor.buffers.available == 8)
                    try await file.close()
                    return outcome
                }
                #expect(completions == 8, "\(directory)")
                #expect(refused, "\(directory)")
                #expect(mismatches == 0, "\(directory)")
            }
        }
    }

    @Test func aSubmissionAfterShutdownThrowsShutDownAndReadsBeforeItKeepTheirData() async throws {
        try await Support.withFile(Support.bytes(count: 1 << 20, seed: 9)) { path, expected in
            let executor = try Support.makeExecutor(count: 4, size: 4096)
            let file = try await executor.run { try await File.open(path, on: executor) }
            let outcome = try await executor.run {
                try await file.withPipeline(depth: 4) { pipeline -> (Int, Int, Bool) in
                    for index in 0..<4 { try await pipeline.read(into: try await executor.buffers.lease(), at: Int64(index) * 4096) }
                    // Shut down from another task; operations in flight end (data or shut-down errors).
                    Task.detached { await executor.shutdown() }
                    _ = await Support.waitUntil { executor.isShutDown }
                    var good = 0
                    var bad = 0
                    var lastLease: BufferLease? = nil
                    while let completion = try await pipeline.next() {
                        switch completion.result {
                        case .success(let n):
                            let offset = Int(completion.offset)
                            if completion.lease.bytes == Array(expected[offset..<(offset + n)]) { good += 1 } else { bad += 1 }
                        case .failure(let error):
                            if error.code == .shutDown { good += 1 } else { bad += 1 }
                        }
                        lastLease = completion.takeLease()
                    }
                    var refused = false
                    if let lease = lastLease.take() {
                        do { try await pipeline.read(into: lease, at: 0) } catch let error as RingIOError { refused = error.code == .shutDown }
                    }
                    return (good, bad, refused)
                }
            }
            #expect(outcome.0 == 4)
            #expect(outcome.1 == 0)
            #expect(outcome.2)
        }
    }
    @Test func aWriteLeftPendingThatFailsMakesWithPipelineThrowItsErrno() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 12)) { path, expected in
            let executor = try Support.makeExecutor(count: 2, size: 4096)
            try await executor.run {
                // Writing a descriptor opened read-only: EBADF, which must not be lost when the
                // closure returns without taking the completion.
                let file = try await File.open(path, on: executor)
                var returned = false
                do {
                    try await file.withPipeline(depth: 2) { pipeline in
                        var lease = try await executor.buffers.lease()
                        lease.copy(from: [9, 9, 9])
                        try await pipeline.write(from: lease, at: 0)
                        returned = true
                    }
                    Issue.record("withPipeline returned although its pending write failed")
                } catch let error as RingIOError {
                    #expect(error.errno == .badFileDescriptor)
                    #expect(error.operation == .writeFixed)
                    #expect(error.path == path)
                }
                #expect(returned)
                #expect(executor.buffers.available == 2)
                try await file.close()
            }
            await executor.shutdown()
            #expect(Support.preadFile(path) == expected)
        }
    }

    /// A read of an empty pipe blocks until cancelled; `withPipeline` refuses streams, so this
    /// drives the pipeline's state directly to reach the IORING_OP_ASYNC_CANCEL path.
    @Test(.ioUringOnly("a blocking read on the thread pool cannot be interrupted"))
    func cancellingATaskWaitingInNextCancelsTheBlockedOperationAndReturnsItsLease() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            let task = Task(executorPreference: executor) { () -> (errno: Errno?, code: RingIOError.Code?, leaseBack: Bool) in
                let state = PipelineState(file: file, depth: 1)
                try await state.submit(try await executor.buffers.lease(), range: 0..<4096, offset: 0, tag: 0, isWrite: false)
                guard let completion = await state.next() else { return (nil, nil, false) }
                let result = completion.result
                let lease = completion.takeLease()
                _ = consume lease
                switch result {
                case .success: return (nil, nil, executor.buffers.available == 2)
                case .failure(let error): return (error.errno, error.code, executor.buffers.available == 2)
                }
            }
            // Let the read reach the kernel and block, then cancel; unblock it after 10 s if the
            // cancel never arrives, so a broken cancel path fails instead of hanging.
            #expect(await Support.waitUntilTheLoopSleeps(executor))
            task.cancel()
            let watchdog = Task.detached {
                try await Task.sleep(nanoseconds: 10_000_000_000)
                pipe.write([1])
            }
            let outcome = try await task.value
            watchdog.cancel()
            #expect(outcome.errno == .canceled)
            #expect(outcome.code != .shutDown)
            #expect(outcome.leaseBack)
            // No cancelled read may still write into a buffer.
            #expect(try await pipe.nextReadGetsTheData(through: file, on: executor))
            try await executor.run { try await file.close() }
        }
    }

    @Test(.ioUringOnly("a blocking read on the thread pool cannot be interrupted"))
    func shutdownEndsABlockedPipelineOperationWithShutDown() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        let pipe = try Pipe()
        defer { pipe.closeAll() }
        let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
        let task = Task(executorPreference: executor) { () -> (errno: Errno?, code: RingIOError.Code?) in
            let state = PipelineState(file: file, depth: 1)
            try await state.submit(try await executor.buffers.lease(), range: 0..<4096, offset: 0, tag: 0, isWrite: false)
            guard let completion = await state.next() else { return (nil, nil) }
            switch completion.result {
            case .success: return (nil, nil)
            case .failure(let error): return (error.errno, error.code)
            }
        }
        #expect(await Support.waitUntilTheLoopSleeps(executor), "the read reached the kernel")
        let watchdog = Task.detached {
            try await Task.sleep(nanoseconds: 10_000_000_000)
            pipe.write([1])
        }
        await executor.shutdown()
        let outcome = try await task.value
        watchdog.cancel()
        #expect(outcome.code == .shutDown)
        #expect(outcome.errno == .canceled)
    }

    /// What `withPipeline` does on the way out, on an operation that cannot finish yet: the
    /// lease stays out of the pool until the kernel completes the read.
    @Test func drainingWaitsForABlockedOperationBeforeItsLeaseGoesBack() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let pipe = try Pipe()
            defer { pipe.closeAll() }
            let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
            let drained = Atomic<Bool>(false)
            let task = Task(executorPreference: executor) { () -> RingIOError? in
                let state = PipelineState(file: file, depth: 1)
                try await state.submit(try await executor.buffers.lease(), range: 0..<4096, offset: 0, tag: 0, isWrite: false)
                let failure = await state.drain(cancelling: false)
                drained.store(true, ordering: .releasing)
                return failure
            }
            #expect(await Support.waitUntilTheLoopSleeps(executor), "the read reached the kernel or a worker")
            let drainedEarly = drained.load(ordering: .acquiring)
            #expect(!drainedEarly)
            #expect(executor.buffers.available == 1)
            pipe.write([1, 2, 3])
            let failure = try await task.value
            #expect(failure == nil)
            let drainedAtEnd = drained.load(ordering: .acquiring)
            #expect(drainedAtEnd)
            #expect(executor.buffers.available == 2)
            try await executor.run { try await file.close() }
        }
    }

    /// A default actor on the ring thread (it was idle when a task preferring the executor
    /// called it) must not keep the pipeline there: resumes would follow the actor elsewhere.
    @Test func aPipelineStartedFromADefaultActorStaysOnTheLoop() async throws {
        try await Support.withFile(Support.bytes(count: 1 << 20, seed: 13)) { path, expected in
            try await Support.withExecutor(count: 8, size: 4096) { executor in
                let reader = BusyReader()
                let file = try await executor.run { try await File.open(path, on: executor) }
                let mismatches = try await reader.whileBusy {
                    try await executor.run {
                        var bad = 0
                        for round in 0..<500 {
                            bad += try await reader.readBlocks(of: file, executor: executor, expected: expected, round: round)
                        }
                        return bad
                    }
                }
                #expect(mismatches == 0)
                try await executor.run { try await file.close() }
            }
        }
    }
}
