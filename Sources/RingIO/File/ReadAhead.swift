/// The read-ahead engine under every streaming read of the file API (`chunks`, `readToEnd`,
/// `File.copy`): a pipeline keeping up to `depth` READ_FIXED in flight at later offsets, whose
/// chunks are handed out in file order.
///
/// Reads complete in any order; each finished chunk is parked (its lease with it) until it is its
/// turn. A short read that is not at end of file is continued into the same lease, so every chunk
/// but the last is full. Streams, and files of procfs and sysfs (`File.readsInOrder`), are read
/// one chunk at a time, in order. Loop-confined: every entry point runs on the loop (`onLoop`).
@safe  // Safety: owns `parked` (depth lease slots, allocated in start(), freed in deinit); a slot holds an initialized lease exactly
// while it is .done; the leases of reads in flight stay in the pipeline until the kernel completes them.
final class ReadAhead {
    private enum Slot {
        case empty, inFlight, done, failed
    }

    let file: File
    /// The loop whose ring reads ahead (the caller's, for a file of a group) and the file's slot there.
    let loop: RingExecutor
    private let fixedSlot: Int32
    private let requestedChunkSize: Int?
    private let requestedDepth: Int
    private let range: Range<Int64>
    private var chunkSize = 0
    private var depth = 0
    /// Chunks submitted so far; chunk `k` covers `range.lowerBound + k * chunkSize` on.
    private var submitted = 0
    /// The number of the next chunk to hand out.
    private var nextChunk = 0
    /// A read reached end of file: no chunk after it is submitted.
    private var endSeen = false
    private var finished = false
    /// Failed to start a read ahead after handing out a chunk: thrown by the next `next()`.
    private var deferredError: (any Error)?
    private var pipeline: PipelineState?
    /// Per chunk number modulo `depth`: where that chunk is, its lease once done, its error once failed.
    private var slots: [Slot] = []
    private var errors: [RingIOError?] = []
    private var parked: UnsafeMutablePointer<BufferLease>?

    /// - Parameters:
    ///   - chunkSize: bytes per chunk; nil for the pool's buffer size.
    ///   - depth: reads in flight at most (1 or more; 1 for files read in order).
    ///   - range: the file offsets to read; it ends early at end of file.
    init(file: File, chunkSize: Int?, depth: Int, range: Range<Int64>) {
        self.file = file
        (self.loop, self.fixedSlot) = file.loopForThisCall
        self.requestedChunkSize = chunkSize
        self.requestedDepth = depth
        self.range = range
    }

    deinit {
        guard let pipeline else { return }
        dropParked()
        // Safety: dropParked just moved out every initialized lease, so the storage holds none; allocated in start(), freed only here.
        unsafe parked?.deallocate()
        guard !finished else { return }
        // Dropped mid-way: reads may be in flight. Their leases go back only once the kernel is
        // done with them, so a task on the loop drains them (cancelling where that helps).
        let orphan = OrphanedPipeline(state: pipeline)
        Task(executorPreference: loop) {
            await orphan.state.drain(cancelling: true)
        }
    }

    /// The next chunk in file order, or nil after the last one (and after an error was thrown).
    ///
    /// - Throws: `RingIOError` (`.invalidArgument` for bad arguments, read errors), `CancellationError`.
    func next() async throws -> FileChunk? {
        try await loop.onLoop(pinned: true) { try await nextOnLoop() }
    }

    /// Ends the iteration and waits until the kernel is done with every lease it holds.
    func cancelAndDrain() async {
        guard !finished else { return }
        if pipeline == nil {
            finished = true
            return
        }
        _ = try? await loop.onLoop(pinned: true) { await finish() }
    }

    private func nextOnLoop() async throws -> FileChunk? {
        if finished { return nil }
        if pipeline == nil {
            do { try start() } catch {
                finished = true
                throw error
            }
        }
        if let error = deferredError {
            deferredError = nil
            await finish()
            throw error
        }
        if Task.isCancelled {
            await finish()
            throw CancellationError()
        }
        do {
            try await fill(waiting: true)
            while slots[nextChunk % depth] == .inFlight {
                guard let completion = await pipeline!.next() else { break }
                try await take(completion)
            }
        } catch {
            await finish()
            throw error
        }
        let slot = nextChunk % depth
        switch slots[slot] {
        case .failed:
            let error = errors[slot]!
            await finish()
            // Reads of files whose transfers can block were cancelled with the consuming task.
            if Task.isCancelled { throw CancellationError() }
            throw error
        case .done:
            slots[slot] = .empty
            // Safety: a `.done` slot holds an initialized lease.
            let lease = unsafe (parked! + slot).move()
            let offset = offset(of: nextChunk)
            let requested = length(of: nextChunk)
            nextChunk += 1
            let chunk = FileChunk(offset: offset, lease: lease)
            if chunk.count < requested {  // end of file within this chunk: the last one
                await finish()
                return chunk.count > 0 ? chunk : nil
            }
            if offset + Int64(requested) >= range.upperBound {
                await finish()
            } else {
                // Keep `depth` reads in flight while the consumer works on this chunk.
                do { try await fill(waiting: false) } catch { deferredError = error }
            }
            return chunk
        case .empty, .inFlight:
            await finish()  // nothing more to read
            return nil
        }
    }

    /// Checks the arguments and makes the pipeline.
    private func start() throws {
        let bufferSize = file.executor.buffers.bufferSize
        let size = requestedChunkSize ?? bufferSize
        guard size >= 1, size <= bufferSize else {
            throw RingIOError.invalidArgument(.readChunks, path: file.path, fd: file.descriptor, "The chunk size must be 1 ... \(bufferSize) bytes, the pool's buffer size (got \(size)); re-register larger buffers or ask for smaller chunks")
        }
        guard requestedDepth >= 1 else {
            throw RingIOError.invalidArgument(.readChunks, path: file.path, fd: file.descriptor, "readAhead must be 1 or more (got \(requestedDepth))")
        }
        guard range.lowerBound >= 0 else {
            throw RingIOError.invalidArgument(.readChunks, path: file.path, fd: file.descriptor, "The file offset must be 0 or more (got \(range.lowerBound))")
        }
        _ = try file.openDescriptor(for: .readChunks)
        chunkSize = size
        depth = file.readsInOrder ? 1 : min(requestedDepth, loop.door.inFlightLimit)
        slots = Array(repeating: .empty, count: depth)
        errors = Array(repeating: nil, count: depth)
        // Safety: depth lease slots, initialized only while a slot is .done (take / nextOnLoop / dropParked); freed in deinit.
        unsafe parked = .allocate(capacity: depth)
        pipeline = PipelineState(file: file, depth: depth, on: loop, fixedSlot: fixedSlot)
    }

    /// Submits reads of the chunks after `nextChunk`, up to `depth` ahead, with the leases the
    /// pool has free.
    ///
    /// - Parameter waiting: whether to wait for a lease when the next chunk to hand out has none
    ///   yet (nothing is in flight or parked). Never while this iteration holds a chunk it has not
    ///   handed out: other streams may need that lease to make progress.
    private func fill(waiting: Bool) async throws {
        let pipeline = pipeline!
        while !endSeen, submitted < nextChunk + depth, offset(of: submitted) < range.upperBound, pipeline.freeCount > 0 {
            let lease: BufferLease
            if let free = file.executor.buffers.tryLease() {
                lease = free
            } else if waiting && submitted == nextChunk {
                lease = try await file.executor.buffers.lease()
            } else {
                return  // read ahead again once the consumer gives buffers back
            }
            let chunk = submitted
            slots[chunk % depth] = .inFlight
            submitted += 1
            do {
                try await pipeline.submit(lease, range: 0..<readLength(of: chunk), offset: offset(of: chunk), tag: chunk, isWrite: false)
            } catch {
                // Nothing was submitted (and the lease went back to the pool).
                slots[chunk % depth] = .empty
                submitted -= 1
                throw error
            }
        }
    }

    /// Parks a finished read, or continues a short one into the rest of its lease.
    ///
    /// - Throws: what submitting the rest throws (`.closed`, `.shutDown`, `CancellationError`).
    private func take(_ completion: consuming IOCompletion) async throws {
        let chunk = completion.tag
        let slot = chunk % depth
        switch completion.result {
        case .failure(let error):
            fail(slot, error)
        case .success(let transferred):
            let requested = readLength(of: chunk)
            let filled = completion.lease.count
            var lease = completion.takeLease()
            if transferred > 0 && filled < requested && !file.endsFile(afterReading: transferred) {
                // A short read before end of file: read the rest of the chunk into the same lease
                // (the completion just freed a pipeline entry).
                try await pipeline!.submit(
                    lease, range: filled..<requested, offset: offset(of: chunk) + Int64(filled), tag: chunk, isWrite: false)
                return
            }
            if filled < requested { endSeen = true }
            lease.count = min(filled, length(of: chunk))  // an O_DIRECT read past the range's end
            // Safety: the slot was in flight, so its lease storage is uninitialized.
            unsafe (parked! + slot).initialize(to: lease)
            slots[slot] = .done
        }
    }

    private func fail(_ slot: Int, _ error: RingIOError) {
        errors[slot] = error
        slots[slot] = .failed
        endSeen = true
    }

    private func offset(of chunk: Int) -> Int64 {
        range.lowerBound + Int64(chunk) * Int64(chunkSize)
    }

    private func length(of chunk: Int) -> Int {
        Int(min(Int64(chunkSize), range.upperBound - offset(of: chunk)))
    }

    /// What to read for `chunk`: its length, rounded up to the O_DIRECT alignment (within the
    /// chunk size) for a range that ends at an unaligned offset; the chunk is trimmed afterwards.
    private func readLength(of chunk: Int) -> Int {
        let length = length(of: chunk)
        guard let alignment = file.directIOAlignment?.offset, length % alignment != 0 else { return length }
        return min(chunkSize, (length / alignment + 1) * alignment)
    }

    /// Ends the iteration: cancels what is in flight (where the file's transfers can block), waits
    /// until the kernel is done with every lease, and gives the parked ones back.
    private func finish() async {
        guard !finished else { return }
        finished = true
        await pipeline?.drain(cancelling: true)
        dropParked()
    }

    private func dropParked() {
        // Safety: copies the pointer only; its storage lives from start() until deinit, which calls this before freeing it.
        guard let parked = unsafe parked else { return }
        for slot in slots.indices where slots[slot] == .done {
            // Safety: a `.done` slot holds an initialized lease; dropping it returns it to the pool.
            _ = unsafe (parked + slot).move()
            slots[slot] = .empty
        }
    }
}

@available(*, unavailable)
extension ReadAhead: Sendable {}

/// A dropped iteration's pipeline, handed to a task on the loop that drains it.
private struct OrphanedPipeline: @unchecked Sendable {
    // Safety: nothing else refers to the pipeline any more, and the task that takes it runs on
    // the loop thread, where a pipeline lives.
    let state: PipelineState
}
