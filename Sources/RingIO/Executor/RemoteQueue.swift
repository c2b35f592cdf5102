/// Work handed to the loop from other threads, guarded by the core's mutex.
struct RemoteQueue {
    /// Jobs enqueued from threads other than the loop's.
    var jobs: [QueuedJob] = []
    /// `user_data` of operations whose tasks were cancelled.
    var cancels: [UInt64] = []
    /// Completion sinks (retained, as address bit patterns) whose pipelines' tasks were cancelled.
    var sinkCancels: [UInt] = []
    /// Ids of slot waiters whose tasks were cancelled.
    var waiterCancels: [UInt64] = []
    /// Callers of `shutdown()` waiting for it to finish.
    var shutdownWaiters: [UnsafeContinuation<Void, Never>] = []
    /// Results from the thread-pool backend: (user_data, res).
    var completions: [(UInt64, Int32)] = []
    /// Registered-file slots of files released off the loop thread without close().
    var fileSlotReleases: [Int32] = []
    /// Set when the executor object is gone: shut down if needed, then end the thread.
    var terminate = false

    var isEmpty: Bool {
        jobs.isEmpty && cancels.isEmpty && sinkCancels.isEmpty && waiterCancels.isEmpty && shutdownWaiters.isEmpty && fileSlotReleases.isEmpty && completions.isEmpty && !terminate
    }
}

/// A job and the role it was enqueued in: actor isolation (serial) or task preference.
struct QueuedJob {
    let job: UnownedJob
    let isIsolated: Bool
}
