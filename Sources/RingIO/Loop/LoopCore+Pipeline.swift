internal import CRingIO

extension LoopCore {
    /// Takes a free in-flight slot for a pipeline's operation without waiting; nil when every slot
    /// is taken (then wait with `waitForSlot(_:path:fd:revalidate:)`). Loop thread only.
    ///
    /// - Throws: `RingIOError.shutDown`, or `CancellationError` when the task is cancelled.
    @inline(__always)
    func tryAcquireSlot(_ operation: Operation, path: String?, fd: Int32?) throws -> UInt32? {
        assert(isLoopThread, "RingIO operations must run on the executor's thread")
        guard lifecycle == .running else { throw RingIOError.shutDown(operation, path: path, fd: fd) }
        if currentTaskIsCancelled() { throw CancellationError() }
        return table.acquire()
    }

    /// Waits (FIFO, cancellable) for a free in-flight slot, then re-checks the file with
    /// `revalidate` (it may have been closed meanwhile). The slow path of a pipeline's submission.
    @inline(never)
    func waitForSlot(_ operation: Operation, path: String?, fd: Int32?, revalidate: () throws -> Void) async throws -> UInt32 {
        let slot = try await waitForSlot(operation, path: path, fd: fd, cancellable: true)
        do {
            try revalidate()
        } catch {
            table.release(slot)
            throw error
        }
        return slot
    }

    /// Arms `slot` so its result goes to `sink` under `entry`, and issues `request`; does not wait.
    ///
    /// The SQE reaches the kernel with the rest of the loop turn's submissions (at once when the
    /// I/O in flight is device-bound). A refused submission is delivered to `sink` as a negative
    /// result, like any failure. Loop thread only.
    ///
    /// - Parameters:
    ///   - slot: from `tryAcquireSlot` or `waitForSlot`; the table releases it on completion.
    ///   - sink: where the result goes; must outlive the operation.
    ///   - entry: the caller's number for this operation, `0..<sink.capacity`, not in use.
    @inline(__always)
    func submit(_ request: IORequest, slot: UInt32, to sink: CompletionSink, entry: UInt32) {
        let userData = table.userData(for: slot)
        table.arm(slot, sink: sink, entry: entry)
        sink.didSubmit(entry: entry, userData: userData)
        issue(request, slot: slot, userData: userData, timeout: nil)
        // A task running a pipeline submits many SQEs in one job: for device-bound I/O each one
        // goes out at once, as a task awaiting its own I/O would have it after its job.
        backend.submitIfDeviceBound(armedCount: table.armedCount)
    }
}

/// Cancellation hook of a pipeline's waiting task (any thread): ask the loop to cancel every
/// operation the pipeline has in flight.
func ringioCancelSink(core: UnsafeMutableRawPointer?, sink: UInt64) {
    // Safety: the hook is installed only while the pipeline (which owns the sink) waits, and
    // removing it waits for a running hook, so the sink is alive here; the retain keeps it alive
    // until the loop has read it.
    let pointer = unsafe UnsafeMutableRawPointer(bitPattern: UInt(sink))!
    _ = unsafe Unmanaged<CompletionSink>.fromOpaque(pointer).retain()
    // Safety: the core outlives every operation and pipeline of its executor.
    unsafe Unmanaged<LoopCore>.fromOpaque(core!).takeUnretainedValue().requestCancel(ofRetainedSink: pointer)
}
