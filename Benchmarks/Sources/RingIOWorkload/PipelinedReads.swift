import RingIO

/// 4 KiB random READ_FIXED from one task through `File.withPipeline`: what the benchmark
/// `ReadFixed4KRandomPipelineQD32` measures.
public enum PipelineWorkload {
    /// Keeps `depth` reads of `blockSize` bytes at random aligned offsets of `path` in flight from
    /// the calling task (run it inside `executor.run { }`), resubmitting each lease as its
    /// completion is taken, until `count` reads have completed in the measured window.
    ///
    /// - Parameters:
    ///   - executor: the executor whose ring and pool do the reads (needs `depth` free buffers).
    ///   - path: a file of at least one block (a power-of-two number of blocks is fastest).
    ///   - depth: reads in flight.
    ///   - count: reads completed between `measurementStarted` and `measurementStopped`.
    ///   - seed: the offset stream's seed.
    ///   - measurementStarted: called after `depth × 16` unmeasured reads.
    ///   - measurementStopped: called when the `count`th measured read completes, before the
    ///     pipeline drains and the leases go back.
    /// - Throws: `RingIOError`, or `WorkloadError.shortRead`.
    public static func randomReads(
        on executor: RingExecutor,
        path: String,
        depth: Int,
        count: Int,
        blockSize: Int = 4096,
        seed: UInt64,
        measurementStarted: () -> Void,
        measurementStopped: () -> Void
    ) async throws {
        let blocks = try TestFile.size(of: path) / UInt64(blockSize)
        guard blocks > 0 else { throw WorkloadError.invalidArgument("\(path) is smaller than one block") }
        let mask: UInt64? = blocks.nonzeroBitCount == 1 ? blocks - 1 : nil
        var random = XorShift64Star(seed: seed)
        let file = try await File.open(path, on: executor)
        let range = 0..<blockSize
        let warmup = depth * 16
        var completed = 0
        var stopped = false
        do {
            try await file.withPipeline(depth: depth) { pipeline in
                for _ in 0..<depth {
                    let value = random.next()
                    let offset = (mask.map { value & $0 } ?? (value % blocks)) &* UInt64(blockSize)
                    try await pipeline.read(into: try await executor.buffers.lease(), range: range, at: Int64(bitPattern: offset))
                }
                while let completion = try await pipeline.next() {
                    let n = try completion.result.get()
                    guard n == blockSize else {
                        throw WorkloadError.shortRead(offset: UInt64(completion.offset), expected: blockSize, got: n)
                    }
                    completed += 1
                    if completed == warmup { measurementStarted() }
                    if completed == warmup + count {
                        measurementStopped()
                        stopped = true
                    }
                    // Keep the queue full until the measured reads are done; then let it drain.
                    guard completed + pipeline.pending < warmup + count else { continue }
                    let value = random.next()
                    let offset = (mask.map { value & $0 } ?? (value % blocks)) &* UInt64(blockSize)
                    try await pipeline.read(into: completion.takeLease(), range: range, at: Int64(bitPattern: offset))
                }
            }
        } catch {
            try? await file.close()
            throw error
        }
        try await file.close()
        precondition(stopped, "the pipeline drained before the measured reads completed")
    }
}
