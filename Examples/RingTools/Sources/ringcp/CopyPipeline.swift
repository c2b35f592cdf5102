import RingIO

/// Moves the planned ranges from the source to the destination through leased registered
/// buffers, with up to `inFlight` chunks in flight at once.
///
/// Reads come from RingIO's read-ahead engine (`File.chunks(in:chunkLength:readAhead:)`), which
/// keeps `readAhead` reads in flight and hands the chunks out in file order; each chunk's lease
/// then goes into a write pipeline on the destination (`File.withPipeline`) at the same offset,
/// where up to `writeBehind` writes run while the next chunks are read. Reads and writes reach the
/// kernel together, in one io_uring_enter per loop turn. Short writes are continued from where
/// they stopped. Reads and writes together never hold more than `inFlight` buffers, so the copy
/// cannot wait for a buffer only it could give back.
///
/// A failure stops the copy: the reads ahead are cancelled and drained, the pipeline waits for the
/// writes still in flight, and each buffer returns to the pool only once the kernel is done with it.
struct CopyPipeline: Sendable {
    /// The open source.
    let source: File
    /// The open destination (the temporary file).
    let destination: File
    /// The ranges to copy.
    let plan: ChunkPlan
    /// O_DIRECT rounding, or nil for buffered I/O.
    let direct: DirectAlignment?
    /// Counts copied bytes and draws the bar.
    let progress: CopyProgress
    /// Buffers in use at once, reads and writes together (1 or more; at most the pool's count).
    let inFlight: Int
    /// The destination's final path, for messages.
    let destinationName: String

    /// Reads kept in flight ahead of the writes: a quarter of `inFlight`, at least 1. Writes get
    /// the rest because they are the slow half (a buffered write goes to an io-wq thread, a read
    /// of cached data completes inline); measured in the README's table.
    var readAhead: Int { max(1, max(1, inFlight) / 4) }
    /// Writes that may run while later chunks are read: the rest of `inFlight` (0: each write is
    /// waited for before the next read).
    var writeBehind: Int { max(1, inFlight) - readAhead }

    /// Copies every range of the plan.
    ///
    /// - Throws: `CopyError` (a read or write failed, naming the file and errno; or the source
    ///   shrank while it was copied), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED and IORING_OP_WRITE_FIXED (plain READ/WRITE when the pool
    ///   could not be registered, see `RingExecutor.capabilities`).
    func run() async throws {
        try await CopyError.wrapping("cannot write \(quoted(destinationPath))") {
            // Room for one more write than `writeBehind`: a chunk's write is started before the
            // oldest one is waited for.
            try await destination.withPipeline(depth: writeBehind + 1) { writes in
                for range in plan.ranges {
                    try await copy(range, through: &writes)
                }
                while writes.pending > 0 {
                    try await finishWrite(&writes)
                }
            }
        }
    }

    /// Reads `range` chunk by chunk and starts each chunk's write.
    private func copy(_ range: Range<Int64>, through writes: inout IOPipeline) async throws {
        var chunks = source.chunks(in: range, chunkLength: plan.chunkSize, readAhead: readAhead).makeAsyncIterator()
        var expected = range.lowerBound
        do {
            while let chunk = try await CopyError.wrapping("cannot read \(quoted(sourcePath))", { try await chunks.next() }) {
                let wanted = Int(min(Int64(plan.chunkSize), range.upperBound - expected))
                guard chunk.offset == expected, chunk.count == wanted else {
                    throw shrank(at: expected, expected: wanted, got: chunk.offset == expected ? chunk.count : 0)
                }
                var lease = chunk.consumeLease()
                var length = chunk.count
                if let direct {
                    // O_DIRECT tail: pad with zeros to the alignment; ftruncate cuts the padding later.
                    length = direct.writeLength(chunk.count)
                    let dataEnd = chunk.count
                    if length > dataEnd {
                        lease.withUnsafeMutableBytes { bytes in
                            _ = UnsafeMutableRawBufferPointer(rebasing: bytes[dataEnd..<length]).initializeMemory(as: UInt8.self, repeating: 0)
                        }
                    }
                    lease.count = length
                }
                while !writes.hasRoom {
                    try await finishWrite(&writes)
                }
                // The tag carries the chunk's data length (without padding), for the progress bar.
                try await writes.write(from: lease, range: 0..<length, at: chunk.offset, tag: chunk.count)
                // Before the next read: at most `writeBehind` buffers held by writes.
                while writes.pending > writeBehind {
                    try await finishWrite(&writes)
                }
                expected += Int64(chunk.count)
            }
        } catch {
            await chunks.cancelAndDrain()
            throw error
        }
        guard expected == range.upperBound else {
            throw shrank(at: expected, expected: Int(min(Int64(plan.chunkSize), range.upperBound - expected)), got: 0)
        }
    }

    /// Takes one finished write: continues it if it was short, counts it when it is complete.
    private func finishWrite(_ writes: inout IOPipeline) async throws {
        guard let completion = try await writes.next() else { return }
        let written = try completion.result.get()
        let (offset, range, dataLength) = (completion.offset, completion.range, completion.tag)
        guard written > 0 else {
            throw RingIOError(code: .system, errno: .ioError, operation: .writeFixed, path: destination.path, fd: destination.descriptor,
                              hint: "The kernel accepted 0 bytes of a non-empty write at offset \(offset)")
        }
        if written < range.count {
            let rest = (range.lowerBound + written)..<range.upperBound
            try await writes.write(from: completion.takeLease(), range: rest, at: offset + Int64(written), tag: dataLength)
            return
        }
        progress.add(dataLength)
    }

    /// The error for a source that ended before the planned range did.
    private func shrank(at offset: Int64, expected: Int, got: Int) -> CopyError {
        CopyError("\(quoted(sourcePath)) changed while it was copied: expected \(expected) bytes at offset \(offset), got \(got) (the file shrank); nothing was written to \(quoted(destinationName))")
    }

    private var sourcePath: String { source.path ?? "source" }
    private var destinationPath: String { destination.path ?? destinationName }
}
