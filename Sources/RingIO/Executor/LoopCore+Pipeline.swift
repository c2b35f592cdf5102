internal import CRingIO

extension LoopCore {
    /// Submits one SQE whose result goes to `sink` under `entry`, and returns without waiting for it.
    ///
    /// Call on the loop thread only. The SQE reaches the kernel with the rest of the loop turn's
    /// submissions; the result is queued on `sink` (a negative `res` for errors, including a
    /// refused submission).
    ///
    /// - Parameters:
    ///   - sink: where the result goes; must outlive the operation.
    ///   - entry: the caller's number for this operation, `0..<sink.capacity`, not in use.
    ///   - operation: names the operation in errors.
    ///   - path: the file's path, for errors.
    ///   - fd: the descriptor, for errors.
    ///   - revalidate: run again after waiting for a free slot (the file may have been closed meanwhile).
    ///   - prepare: fills in the SQE (opcode, fd, buffer); `user_data` is set afterwards.
    /// - Throws: `RingIOError.shutDown`, or `CancellationError` when the task is cancelled (before
    ///   anything is submitted, also while waiting for a free in-flight slot).
    @inline(__always)
    func submit(
        to sink: CompletionSink,
        entry: UInt32,
        _ operation: Operation,
        path: String?,
        fd: Int32?,
        revalidate: () throws -> Void,
        _ prepare: (UnsafeMutablePointer<io_uring_sqe>) -> Void
    ) async throws {
        assert(isLoopThread, "RingIO operations must run on the executor's thread")
        guard lifecycle == .running else { throw RingIOError.shutDown(operation, path: path, fd: fd) }
        if ringio_current_task_is_cancelled() { throw CancellationError() }
        let slot: UInt32
        if let free = table.acquire() {
            slot = free
        } else {
            slot = try await waitForSlot(operation, path: path, fd: fd, cancellable: true)
            do {
                try revalidate()
            } catch {
                table.release(slot)
                throw error
            }
        }
        let userData = table.userData(for: slot)
        table.arm(slot, sink: sink, entry: entry)
        sink.didSubmit(entry: entry, userData: userData)
        guard let unretainedRing else {
            // Thread-pool backend: describe the request in an SQE and let a worker perform it.
            var request = WorkerPool.Request(sqe: io_uring_sqe(), userData: userData)
            withUnsafeMutablePointer(to: &request.sqe) { prepare($0) }
            workers!.submit(request)
            return
        }
        let failure = unretainedRing._withUnsafeGuaranteedRef { ring -> RingIOError? in
            do throws(RingIOError) {
                let sqe = try ring.nextSQE()
                prepare(sqe)
                io_uring_sqe_set_data64(sqe, userData)
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            table.complete(userData, result: -(failure.errno?.rawValue ?? EBUSY))
            return
        }
        // A task running a pipeline submits many SQEs in one job: for device-bound I/O each one
        // goes out at once, as a task awaiting its own I/O would have it after its job.
        submitIfDeviceBound()
    }
}

/// Cancellation hook of a pipeline's waiting task (any thread): ask the loop to cancel every
/// operation the pipeline has in flight.
func ringioCancelSink(core: UnsafeMutableRawPointer?, sink: UInt64) {
    // Safety: the hook is installed only while the pipeline (which owns the sink) waits, and
    // removing it waits for a running hook, so the sink is alive here; the retain keeps it alive
    // until the loop has read it.
    let pointer = UnsafeMutableRawPointer(bitPattern: UInt(sink))!
    _ = Unmanaged<CompletionSink>.fromOpaque(pointer).retain()
    // Safety: the core outlives every operation and pipeline of its executor.
    Unmanaged<LoopCore>.fromOpaque(core!).takeUnretainedValue().requestCancel(ofRetainedSink: pointer)
}
