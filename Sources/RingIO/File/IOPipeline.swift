internal import CRingIO

extension File {
    /// Runs `body` with a pipeline that keeps up to `depth` reads and writes of this file in
    /// flight and hands back their completions as they arrive.
    ///
    /// One task drives many operations: it submits with `IOPipeline.read(into:range:at:tag:)` /
    /// `write(from:range:at:tag:)` (which do not wait for the I/O) and takes results with
    /// `next()`, which suspends only when nothing has finished yet, so the task is resumed once
    /// per batch of completions instead of once per I/O. Each operation takes its lease with it
    /// and the completion gives it back, so a buffer the kernel may still write to cannot be
    /// touched or handed to anyone else.
    ///
    /// When `body` throws, operations still pending are cancelled (unless the file's transfers
    /// end on their own) and waited for, and `body`'s error is rethrown. When it returns with
    /// operations pending, they are waited for, and if one of them failed, that error is thrown
    /// instead of the result (a write you did not wait for must not fail silently). Either way
    /// their leases go back to the pool only after the kernel is done with them.
    ///
    /// ```swift
    /// try await file.withPipeline(depth: 32) { pipeline in
    ///     // tryLease: a pipeline deeper than the free buffers would otherwise wait forever here.
    ///     while pipeline.hasRoom, let lease = executor.buffers.tryLease(), let offset = offsets.next() {
    ///         try await pipeline.read(into: lease, at: offset)
    ///     }
    ///     while let completion = try await pipeline.next() {
    ///         let n = try completion.result.get()        // bytes read, or the RingIOError
    ///         // … use completion.lease, then reuse it for the next read
    ///     }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - depth: how many operations may be pending at once: 1 up to the executor's in-flight
    ///     limit (`maxInFlight`, default 2 × `entries`), shared with all other I/O on the executor.
    ///   - body: submits operations and takes their completions; runs on the executor's thread.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws; the first failure among operations `body` left pending;
    ///   `RingIOError` `.invalidArgument` for a bad depth or a stream (pipe, socket, character
    ///   device: their reads must not overlap); `.closed`; `.shutDown`.
    /// - Note: issues IORING_OP_READ_FIXED / IORING_OP_WRITE_FIXED (READ / WRITE when the pool is
    ///   not registered), and IORING_OP_ASYNC_CANCEL when the task is cancelled on a file whose
    ///   transfers can block (network, FUSE, virtual file systems).
    @discardableResult
    public func withPipeline<Result>(
        depth: Int,
        _ body: nonisolated(nonsending) (inout IOPipeline) async throws -> Result
    ) async throws -> Result {
        _ = try openDescriptor(for: .pipeline)
        let (executor, fixedSlot) = loopForThisCall
        let limit = executor.door.inFlightLimit
        guard depth >= 1, depth <= limit else {
            throw RingIOError.invalidArgument(
                .pipeline, path: path, fd: descriptor,
                "A pipeline's depth must be 1 up to the executor's in-flight limit, \(limit) (got \(depth)); raise RingExecutorConfiguration.maxInFlight or entries for deeper pipelines")
        }
        guard !isStream else {
            throw RingIOError.invalidArgument(
                .pipeline, path: path, fd: descriptor,
                "Pipelines need a file with offsets; reads of a pipe, socket or character device must not overlap (use read(into:at:) or chunks())")
        }
        return try await executor.onLoop(pinned: true) {
            var pipeline = IOPipeline(state: PipelineState(file: self, depth: depth, on: executor, fixedSlot: fixedSlot))
            let result: Result
            do {
                result = try await body(&pipeline)
            } catch {
                await pipeline.state.drain(cancelling: true)
                throw error
            }
            if let failure = await pipeline.state.drain(cancelling: false) { throw failure }
            return result
        }
    }
}

/// Reads and writes of one file in flight together, whose completions are taken as they arrive.
///
/// Made by `File.withPipeline(depth:_:)` and valid only inside its closure (`~Copyable`, passed
/// `inout`, so it cannot escape). Loop-confined: use it only from the task that runs the closure.
public struct IOPipeline: ~Copyable {
    let state: PipelineState

    init(state: PipelineState) {
        self.state = state
    }

    /// How many operations may be pending at once.
    public var depth: Int { state.sink.capacity }

    /// Operations submitted whose completion `next()` has not returned yet.
    ///
    /// Read it directly inside the `withPipeline` closure, like every member: the count belongs to
    /// the loop thread (debug builds check).
    public var pending: Int {
        assertOnLoop()
        return state.sink.capacity - state.freeCount
    }

    /// Operations finished whose completions `next()` returns without waiting.
    ///
    /// Read it directly inside the `withPipeline` closure (debug builds check).
    public var readyCount: Int {
        assertOnLoop()
        return state.sink.readyCount
    }

    /// Whether another operation can be submitted now (`pending < depth`).
    ///
    /// Read it directly inside the `withPipeline` closure (debug builds check).
    public var hasRoom: Bool {
        assertOnLoop()
        return state.freeCount > 0
    }

    /// Traps in debug builds when a loop-owned count is read off the loop thread (a data race);
    /// `submit` and `next()` throw `.invalidArgument` there instead.
    @inline(__always)
    private func assertOnLoop() {
        assert(state.door.isLoopThread, "RingIO: an IOPipeline was used off its executor's thread; use it only directly inside the withPipeline closure")
    }

    /// Starts reading into `range` of `lease` from `offset`; `next()` returns the lease with the result.
    ///
    /// Does not wait for the read: the SQE reaches the kernel with the loop's next submission.
    /// It suspends only when all of the executor's in-flight slots are taken (back-pressure).
    ///
    /// - Parameters:
    ///   - lease: the buffer; the pipeline holds it until the completion is taken.
    ///   - range: where in the lease to put the data; default the whole lease.
    ///   - offset: the file offset (0 or more).
    ///   - tag: any number of yours, returned in the completion.
    /// - Throws: `RingIOError` `.invalidArgument` (range outside the lease, a lease of another
    ///   executor, `depth` operations already pending — check `hasRoom` first —, O_DIRECT
    ///   misalignment, use off the executor's thread), `.closed`, `.shutDown`; `CancellationError`.
    ///   On a throw nothing was submitted and the lease went back to the pool (its bytes are lost).
    /// - Note: issues IORING_OP_READ_FIXED (IORING_OP_READ when the pool is not registered).
    public mutating func read(into lease: consuming BufferLease, range: Range<Int>? = nil, at offset: Int64, tag: Int = 0) async throws {
        try await state.submit(lease, range: range ?? 0..<lease.capacity, offset: offset, tag: tag, isWrite: false)
    }

    /// Starts writing `range` of `lease` at `offset`; `next()` returns the lease with the result.
    ///
    /// Does not wait for the write. The SQE reaches the kernel with the loop's next submission.
    ///
    /// - Parameters:
    ///   - lease: the buffer; the pipeline holds it until the completion is taken.
    ///   - range: which bytes of the lease to write; default its `count` valid bytes.
    ///   - offset: the file offset (0 or more; ignored for files opened with `.append`, where
    ///     pipelined writes may land in any order).
    ///   - tag: any number of yours, returned in the completion.
    /// - Throws: as `read(into:range:at:tag:)`.
    /// - Note: issues IORING_OP_WRITE_FIXED (IORING_OP_WRITE when the pool is not registered).
    public mutating func write(from lease: consuming BufferLease, range: Range<Int>? = nil, at offset: Int64, tag: Int = 0) async throws {
        try await state.submit(lease, range: range ?? 0..<lease.count, offset: offset, tag: tag, isWrite: true)
    }

    /// Returns the next finished operation, waiting if none has finished yet; nil when none is pending.
    ///
    /// Completions come in the order the kernel finishes them, not the order of submission.
    /// Errors of the I/O are in the completion's `result`, so the lease always comes back. If the
    /// task is cancelled, operations on files whose transfers can block are cancelled (their
    /// result is ECANCELED); reads and writes of disk files finish normally.
    ///
    /// - Throws: `RingIOError` `.invalidArgument` only when called off the executor's thread (from
    ///   inside `withTaskExecutorPreference` of another executor, say).
    public mutating func next() async throws -> IOCompletion? {
        try state.checkOnLoop()
        return await state.next()
    }
}

@available(*, unavailable)
extension IOPipeline: Sendable {}

/// A finished pipeline operation: its lease, back from the kernel, and its result.
public struct IOCompletion: ~Copyable {
    /// The operation's buffer; after a successful read, `count` is `range.lowerBound` + bytes
    /// read (otherwise `count` is what it was when submitted).
    public var lease: BufferLease
    /// The `tag` given when the operation was submitted.
    public let tag: Int
    /// The file offset the operation was submitted with.
    public let offset: Int64
    /// The part of the lease the operation used.
    public let range: Range<Int>
    /// True for a write, false for a read.
    public let isWrite: Bool
    /// Bytes read or written (0 at end of file; may be short), or the error (with errno, operation,
    /// path and fd; `.shutDown` when the executor shut down meanwhile).
    public var result: Swift.Result<Int, RingIOError> {
        if let failure { return .failure(failure.error) }
        return .success(transferred)
    }
    private let transferred: Int
    /// Boxed so that a completion, which is moved a few times per operation, stays small.
    private let failure: ErrorBox?

    init(lease: consuming BufferLease, tag: Int, offset: Int64, range: Range<Int>, isWrite: Bool, transferred: Int, failure: RingIOError?) {
        self.lease = lease
        self.tag = tag
        self.offset = offset
        self.range = range
        self.isWrite = isWrite
        self.transferred = transferred
        self.failure = failure.map(ErrorBox.init)
    }

    /// Hands the lease back, ending the completion (for reusing it in the next operation).
    ///
    /// Read `result`, `offset` and `tag` first: the completion is consumed.
    public consuming func takeLease() -> BufferLease {
        lease
    }
}

@available(*, unavailable)
extension IOCompletion: Sendable {}

/// A failed completion's error, out of line.
final class ErrorBox {
    let error: RingIOError
    init(_ error: RingIOError) { self.error = error }
}

/// The loop-confined state behind an `IOPipeline`: the leases of pending operations, by entry,
/// and the sink their results arrive in. Allocated once per pipeline.
@safe  // Safety: owns leases, entries, free and hook (allocated in init for depth entries, freed in deinit); entry numbers come
// only from the free stack (< depth), and a lease slot is initialized exactly while its entry is pending (submit to next).
final class PipelineState {
    private struct Entry {
        var offset: Int64 = 0
        var tag: Int = 0
        var range: Range<Int> = 0..<0
        var isWrite = false
        /// When it was submitted (monotonic ns), with metrics on; 0 otherwise.
        var started: UInt64 = 0
    }

    let file: File
    let door: LoopDoor
    /// The file's registered slot in the door's loop, or -1 (the raw descriptor).
    let fixedSlot: Int32
    let sink: CompletionSink
    /// The lease of each pending entry (initialized only while the entry is pending).
    private let leases: UnsafeMutablePointer<BufferLease>
    private let entries: UnsafeMutablePointer<Entry>
    /// Free entry numbers, a stack.
    private let free: UnsafeMutablePointer<UInt32>
    private(set) var freeCount: Int
    /// The cancellation hook installed while the task waits in `next()`.
    private let hook: UnsafeMutablePointer<ringio_cancel_hook>

    /// A pipeline on the file's own loop (tests, and callers that are on it).
    convenience init(file: File, depth: Int) {
        self.init(file: file, depth: depth, on: file.executor, fixedSlot: file.fixedSlot)
    }

    /// - Parameters:
    ///   - loop: the loop whose ring runs the operations (the file's, or for a file of a group
    ///     the caller's loop); `fixedSlot` is the file's slot in that loop's table, or -1.
    init(file: File, depth: Int, on loop: RingExecutor, fixedSlot: Int32) {
        self.file = file
        self.door = loop.door
        self.fixedSlot = fixedSlot
        self.sink = CompletionSink(capacity: depth)
        // Safety: depth entries each: entries initialized here, free filled below, a lease slot only while its entry is pending; freed in deinit.
        unsafe self.leases = .allocate(capacity: depth)
        unsafe self.entries = .allocate(capacity: depth)
        unsafe self.entries.initialize(repeating: Entry(), count: depth)
        unsafe self.free = .allocate(capacity: depth)
        for index in 0..<depth {
            // Safety: index < depth; entry 0 ends on top of the stack.
            unsafe free[index] = UInt32(depth - 1 - index)
        }
        self.freeCount = depth
        // Safety: one hook, initialized at once and freed in deinit; it lives as long as this state, which outlives every wait that installs it.
        unsafe self.hook = .allocate(capacity: 1)
        unsafe self.hook.initialize(to: door.cancelHook(for: sink))
    }

    deinit {
        // `withPipeline` takes every completion before the pipeline ends, so no lease is left.
        precondition(freeCount == sink.capacity, "RingIO: a pipeline ended with operations pending")
        // Safety: no entry is pending (checked above), so no lease slot is initialized and the kernel uses none; entries were initialized in init.
        unsafe entries.deinitialize(count: sink.capacity)
        unsafe entries.deallocate()
        unsafe leases.deallocate()
        unsafe free.deallocate()
        unsafe hook.deallocate()
    }

    /// Throws unless on the loop thread, where the pipeline's state lives.
    @inline(__always)
    func checkOnLoop() throws {
        guard door.isLoopThread else {
            throw RingIOError.invalidArgument(
                .pipeline, path: file.path, fd: file.descriptor,
                "An IOPipeline was used off its executor's thread; call it only directly inside the withPipeline closure")
        }
    }

    /// Checks the request, parks the lease under a free entry and submits the SQE.
    @inline(__always)
    func submit(_ lease: consuming BufferLease, range: Range<Int>, offset: Int64, tag: Int, isWrite: Bool) async throws {
        try checkOnLoop()
        let operation: Operation = isWrite ? .writeFixed : .readFixed
        // Safety: address(of:in:) checked the range lies in the lease, which is parked in leases below until the operation's result arrives.
        let address = unsafe try file.address(of: range, in: lease, offset: offset, operation)
        guard freeCount > 0 else {
            throw RingIOError.invalidArgument(
                operation, path: file.path, fd: file.descriptor,
                "The pipeline already has \(sink.capacity) operations pending (its depth); take a completion with next() before submitting another")
        }
        let fd = try file.openDescriptor(for: operation)
        // A slot first: nothing below may fail once the lease is parked.
        let slot: UInt32
        if let free = try door.tryAcquireSlot(operation, path: file.path, fd: fd) {
            slot = free
        } else {
            let file = self.file
            slot = try await door.waitForSlot(operation, path: file.path, fd: fd, revalidate: { _ = try file.openDescriptor(for: operation) })
        }
        freeCount -= 1
        // Safety: freeCount > 0 was checked above and only this task changes it; free[0..<freeCount] holds free entry numbers (< depth).
        let entry = unsafe free[freeCount]
        let length = UInt32(range.count)
        // Safety: the request carries the checked address of the lease, which stays parked in leases until the kernel completes it.
        let request = unsafe isWrite
            ? IORequest(.write(address: address, length: length, offset: UInt64(offset), bufferIndex: Int32(lease.index)), fd: fd, fileSlot: fixedSlot)
            : IORequest(.read(address: address, length: length, offset: UInt64(offset), bufferIndex: Int32(lease.index)), fd: fd, fileSlot: fixedSlot)
        // Safety: entry < depth (from the free stack) and Entry is trivial, so assigning over the initialized entry is fine.
        unsafe entries[Int(entry)] = Entry(offset: offset, tag: tag, range: range, isWrite: isWrite, started: door.metricsClock())
        // Safety: the entry was free, so its lease storage is uninitialized.
        unsafe (leases + Int(entry)).initialize(to: lease)
        door.submit(request, slot: slot, to: sink, entry: entry)
    }

    /// Takes the next result, waiting for one if needed; nil when nothing is pending. Loop thread only.
    @inline(__always)
    func next() async -> IOCompletion? {
        if sink.readyCount == 0 {
            guard sink.inFlightCount > 0 else { return nil }
            if file.transfersEndOnTheirOwn || sink.cancelRequested {
                await sink.wait()
            } else {
                // Safety: hook was initialized in init and lives as long as self, which this call keeps alive while the hook is installed.
                unsafe await withCancellationHook(hook) { await sink.wait() }
            }
            // The sink and the leases are loop-confined: the resume must come back here (see `onLoop`).
            assert(door.isLoopThread, "RingIO: a pipeline resumed off the executor's thread")
        }
        guard let finished = sink.take() else { return nil }
        let entry = finished.entry
        // Safety: the sink only returns entries given to it by submit (< depth), each written there before its request was issued.
        let info = unsafe entries[Int(entry)]
        // Safety: a result is delivered once per submitted entry, and the kernel is done with its buffer.
        var lease = unsafe (leases + Int(entry)).move()
        // Safety: this entry was pending, so freeCount < depth and the stack has room for it.
        unsafe free[freeCount] = entry
        freeCount += 1
        door.recordPipelineCompletion(isWrite: info.isWrite, result: finished.value, started: info.started)
        if finished.value >= 0 {
            if !info.isWrite { lease.count = info.range.lowerBound + Int(finished.value) }
            return IOCompletion(
                lease: lease, tag: info.tag, offset: info.offset, range: info.range, isWrite: info.isWrite,
                transferred: Int(finished.value), failure: nil)
        }
        return IOCompletion(
            lease: lease, tag: info.tag, offset: info.offset, range: info.range, isWrite: info.isWrite,
            transferred: 0, failure: error(for: finished.value, isWrite: info.isWrite))
    }

    /// Takes every pending completion, dropping it (its lease goes back to the pool).
    ///
    /// - Parameter cancelling: first ask the kernel to cancel what is in flight, unless the
    ///   file's transfers end on their own.
    /// - Returns: the first failure among them (an I/O error), if any.
    @discardableResult
    func drain(cancelling: Bool) async -> RingIOError? {
        if cancelling && !file.transfersEndOnTheirOwn && sink.inFlightCount > 0 {
            door.cancelInFlight(of: sink)
        }
        var first: RingIOError?
        while let completion = await next() {
            if first == nil, case .failure(let error) = completion.result { first = error }
        }
        return first
    }

    private func error(for result: Int32, isWrite: Bool) -> RingIOError {
        CompletionError.error(
            for: result, operation: isWrite ? .writeFixed : .readFixed, path: file.path, fd: file.descriptor,
            loopRunning: door.isRunning)
    }
}

@available(*, unavailable)
extension PipelineState: Sendable {}
