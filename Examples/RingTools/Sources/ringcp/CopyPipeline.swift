import RingIO

/// Moves the planned chunks from the source to the destination through leased registered buffers,
/// `workers` chunks in flight at once.
///
/// Each worker is a child task on the ring thread that repeats: take the next chunk from the plan,
/// lease a buffer from the executor's pool, read the chunk into it (IORING_OP_READ_FIXED, retried
/// until complete), write it at the same offset (IORING_OP_WRITE_FIXED, retried until complete),
/// give the buffer back. With several workers, reads of later chunks overlap writes of earlier
/// ones, and the loop submits all of them in one io_uring_enter per turn. The first failure cancels
/// the other workers (their requests in flight are cancelled with IORING_OP_ASYNC_CANCEL, and each
/// buffer returns only once the kernel is done with it) and is rethrown.
struct CopyPipeline: Sendable {
    /// The open source.
    let source: File
    /// The open destination (the temporary file).
    let destination: File
    /// The chunks to copy.
    let plan: ChunkPlan
    /// O_DIRECT rounding, or nil for buffered I/O.
    let direct: DirectAlignment?
    /// Counts copied bytes and draws the bar.
    let progress: CopyProgress
    /// Chunks in flight at once (1 or more).
    let workers: Int
    /// The destination's final path, for messages.
    let destinationName: String

    /// Copies every chunk of the plan.
    ///
    /// - Throws: `CopyError` (a read or write failed, naming the file and errno; or the source
    ///   shrank while it was copied), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED and IORING_OP_WRITE_FIXED (plain READ/WRITE when the pool
    ///   could not be registered, see `RingExecutor.capabilities`).
    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask { try await copyChunks() }
            }
            try await group.waitForAll()
        }
    }

    /// One worker: copies chunks until the plan runs out.
    private func copyChunks() async throws {
        let pool = source.executor.buffers
        while let chunk = plan.next() {
            try Task.checkCancellation()
            var lease = try await pool.lease()
            let wanted = direct?.readLength(chunk.length) ?? chunk.length
            let read = try await CopyError.wrapping("cannot read \(quoted(source.path ?? "source"))") {
                try await source.readFully(into: &lease, range: 0..<wanted, at: chunk.offset)
            }
            guard read >= chunk.length else {
                throw CopyError("\(quoted(source.path ?? "source")) changed while it was copied: expected \(chunk.length) bytes at offset \(chunk.offset), got \(read) (the file shrank); nothing was written to \(quoted(destinationName))")
            }
            var length = chunk.length
            if let direct {
                // O_DIRECT tail: pad with zeros to the alignment; ftruncate cuts the padding later.
                length = direct.writeLength(chunk.length)
                let dataEnd = chunk.length
                lease.withUnsafeMutableBytes { bytes in
                    if length > dataEnd {
                        UnsafeMutableRawBufferPointer(rebasing: bytes[dataEnd..<length]).initializeMemory(as: UInt8.self, repeating: 0)
                    }
                }
                lease.count = length
            }
            let target = destination.path ?? destinationName
            try await CopyError.wrapping("cannot write \(quoted(target)) (the temporary file for \(quoted(destinationName)))") {
                try await destination.writeFully(from: lease, range: 0..<length, at: chunk.offset)
            }
            progress.add(chunk.length)
        }
    }
}
