/// How bodies are read: chunk size, reads in flight, and (RingIO) where request code runs.
public struct StreamSettings: Sendable, Hashable {
    /// Bytes per read and per ByteBuffer written; bodies up to this size are read in one go and
    /// sent together with the response head. RingIO's registered buffers have this size.
    public var chunkSize: Int
    /// Registered buffers in RingIO's pool.
    public var bufferCount: Int
    /// RingIO: reads kept in flight ahead of the socket writes for a streamed body (1 = none).
    public var readAhead: Int
    /// RingIO: where request code runs relative to the ring thread.
    public var affinity: RingAffinity
    /// RingIO: a `RingExecutorGroup` of this many loops sharing the pool (0: one per CPU); nil:
    /// one `RingExecutor`.
    public var loops: Int?

    public init(
        chunkSize: Int = 64 << 10, bufferCount: Int = 64, readAhead: Int = 2, affinity: RingAffinity = .request,
        loops: Int? = nil
    ) {
        self.chunkSize = chunkSize
        self.bufferCount = bufferCount
        self.readAhead = readAhead
        self.affinity = affinity
        self.loops = loops
    }
}

/// Where a request's code runs relative to the RingExecutor's thread (`--affinity`).
///
/// RingIO calls work from any task: they hop onto the ring thread for the operation and back. How
/// often a request pays for that hop is the difference between these.
public enum RingAffinity: String, Sendable, CaseIterable {
    /// No preference: Hummingbird's tasks run on the global executor and every RingIO call (statx,
    /// openat, READ_FIXED, close) hops to the ring thread and back.
    case call
    /// Each request's handler and its body stream run in `withTaskExecutorPreference(executor)`:
    /// one hop in per handler and per body, and all RingIO calls in between run inline.
    case request
    /// The whole Hummingbird application runs under the executor preference, so connection tasks
    /// (HTTP parsing, response writing) live on the ring thread too; NIO's event loops do the sockets.
    case server
    /// With `--loops`: the group is installed as Swift's global executor
    /// (`unsafeInstallAsGlobalConcurrentExecutor`), so every task, Hummingbird's handlers
    /// included, runs on a loop and every RingIO call runs inline, with no preference anywhere.
    case global
}
