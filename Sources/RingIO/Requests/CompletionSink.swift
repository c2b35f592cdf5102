/// Where the completions of a pipeline's operations go: the loop queues them here as they
/// arrive, and the pipeline's task takes them, resuming at most once per batch.
///
/// An operation armed with a sink (`OperationTable.arm(_:sink:entry:)`) does not resume a task of
/// its own; its result is queued under the caller's entry number. If the owning task is waiting
/// (`wait()`), the first result of a loop turn resumes it, and it finds the rest of the turn's
/// results queued when it runs. So a task that keeps many operations in flight pays for one
/// suspension per batch of completions instead of one per operation.
///
/// Loop-confined: not `Sendable`. Its storage is allocated once, at init.
@safe  // Safety: owns userData and ready (capacity elements each, init to deinit); entries come from the pipeline's free list (< capacity).
final class CompletionSink {
    /// One finished operation: the caller's entry number and the CQE's `res`.
    struct Result {
        var entry: UInt32
        var value: Int32
    }

    /// How many operations may be in flight or queued at once (entries are `0..<capacity`).
    let capacity: Int
    /// The `user_data` of each entry while it is in flight, `idle` when it is not (for cancelling).
    private let userData: UnsafeMutablePointer<UInt64>
    /// Finished operations not yet taken, a ring buffer of `capacity`.
    private let ready: UnsafeMutablePointer<Result>
    private var readyHead = 0
    /// Number of results queued and not yet taken.
    private(set) var readyCount = 0
    /// Number of operations submitted and not yet finished.
    private(set) var inFlightCount = 0
    /// The owning task, while it waits for a result.
    private var waiter: LoopContinuation<Void>?
    /// Set by the loop once it has asked the kernel to cancel everything in flight here (the
    /// owner's task was cancelled; it cannot submit more), so that is not asked again.
    var cancelRequested = false
    /// Marks an entry not in flight (`UserData.wake`, which no operation slot ever has).
    private static let idle = UserData.wake

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        // Safety: both buffers hold exactly capacity elements, all initialized here, and are freed only in deinit.
        unsafe self.userData = .allocate(capacity: capacity)
        unsafe self.userData.initialize(repeating: Self.idle, count: capacity)
        unsafe self.ready = .allocate(capacity: capacity)
        unsafe self.ready.initialize(repeating: Result(entry: 0, value: 0), count: capacity)
    }

    deinit {
        precondition(inFlightCount == 0, "RingIO: a completion sink was released with operations in flight")
        // Safety: the elements are trivial (nothing to deinitialize) and nothing in flight can still be delivered (precondition above).
        unsafe userData.deallocate()
        unsafe ready.deallocate()
    }

    /// Records that `entry`'s operation was armed under `userData`.
    @inline(__always)
    func didSubmit(entry: UInt32, userData value: UInt64) {
        // Safety: entry < capacity: it comes from the owning PipelineState's free list of sink.capacity entries.
        unsafe userData[Int(entry)] = value
        inFlightCount += 1
    }

    /// Queues `entry`'s result and wakes the waiting task, if any (loop thread, from the table).
    @inline(__always)
    func deliver(entry: UInt32, result: Int32) {
        // Safety: entry < capacity, armed by didSubmit; the table clears the slot first, so each entry is delivered once.
        unsafe userData[Int(entry)] = Self.idle
        inFlightCount -= 1
        // Safety: at most `capacity` entries exist, each in flight or queued at most once.
        unsafe ready[(readyHead + readyCount) % capacity] = Result(entry: entry, value: result)
        readyCount += 1
        if let waiter {
            self.waiter = nil
            waiter.resume()
        }
    }

    /// Takes the oldest queued result, or nil when none is queued.
    @inline(__always)
    func take() -> Result? {
        guard readyCount > 0 else { return nil }
        // Safety: readyHead < capacity (it wraps at capacity) and readyCount > 0, so the cell holds a queued result.
        let result = unsafe ready[readyHead]
        readyHead = readyHead + 1 == capacity ? 0 : readyHead + 1
        readyCount -= 1
        return result
    }

    /// Suspends until a result is queued. Call only with operations in flight and none queued.
    @inline(__always)
    func wait() async {
        await withLoopContinuation { (continuation: LoopContinuation<Void>) in
            assert(waiter == nil, "RingIO: two waiters on one completion sink")
            waiter = continuation
        }
    }

    /// The `user_data` of every entry in flight (for IORING_OP_ASYNC_CANCEL).
    func inFlightUserData() -> [UInt64] {
        // Safety: $0 ranges over 0..<capacity, the buffer's size.
        (0..<capacity).compactMap { unsafe userData[$0] == Self.idle ? nil : userData[$0] }
    }
}

@available(*, unavailable)
extension CompletionSink: Sendable {}
