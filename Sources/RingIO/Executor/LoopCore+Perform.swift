internal import CRingIO
import Glibc

extension LoopCore {
    /// Submits one SQE and suspends until its completion arrives. Call on the loop thread only.
    ///
    /// The continuation is resumed only by the operation's own CQE, never by cancellation: a
    /// cancelled task gets IORING_OP_ASYNC_CANCEL submitted for it and still waits for the
    /// operation to finish, so the kernel is done with every buffer before this returns or throws.
    ///
    /// - Parameters:
    ///   - operation: names the operation in errors.
    ///   - path: the file's path, for errors.
    ///   - fd: the descriptor, for errors.
    ///   - cancellable: false for operations that must run even if the task is cancelled (close).
    ///   - cancelInFlight: false for operations that end on their own (reads and writes of regular
    ///     files): they still refuse to start in a cancelled task, but once submitted they run to
    ///     completion without a cancellation handler (which costs two task-status updates).
    ///   - timeout: if set, an IORING_OP_LINK_TIMEOUT is linked to the operation; when it fires the
    ///     kernel cancels the operation and this throws `.timedOut` after the operation completed.
    ///   - revalidate: run again after waiting for a free slot (the file may have been closed meanwhile).
    ///   - prepare: fills in the SQE (opcode, fd, buffer); `user_data` is set afterwards.
    /// - Returns: the completion's non-negative `res`.
    /// - Throws: `RingIOError` for a negative result or a shut-down executor; `CancellationError`
    ///   when the task was cancelled and the operation did not complete.
    @inline(__always)
    func perform(
        _ operation: Operation,
        path: String? = nil,
        fd: Int32? = nil,
        cancellable: Bool = true,
        cancelInFlight: Bool = true,
        timeout: Duration? = nil,
        revalidate: () throws -> Void = {},
        _ prepare: (UnsafeMutablePointer<io_uring_sqe>) -> Void
    ) async throws -> Int32 {
        assert(isLoopThread, "RingIO operations must run on the executor's thread")
        guard lifecycle == .running else { throw RingIOError.shutDown(operation, path: path, fd: fd) }
        if cancellable && ringio_current_task_is_cancelled() { throw CancellationError() }
        let slot: UInt32
        if let free = table.acquire() {
            slot = free
        } else {
            slot = try await waitForSlot(operation, path: path, fd: fd, cancellable: cancellable)
            do {
                try revalidate()
            } catch {
                table.release(slot)
                throw error
            }
        }
        let userData = table.userData(for: slot)
        let result: Int32
        if cancellable && cancelInFlight {
            let hook = table.cancelHook(for: slot)
            hook.pointee = ringio_cancel_hook(fn: ringioCancelOperation, core: Unmanaged.passUnretained(self).toOpaque(), user_data: userData)
            result = await withCancellationHook(hook) {
                await submit(slot: slot, userData: userData, timeout: timeout, prepare)
            }
        } else {
            result = await submit(slot: slot, userData: userData, timeout: timeout, prepare)
        }
        // The resume must come back to the loop thread: the table is loop-confined (see `onLoop`).
        assert(isLoopThread, "RingIO: an operation resumed off the executor's thread")
        // Only now, with the hook (which lives in the slot) removed, may another operation reuse it.
        table.release(slot)
        if result >= 0 { return result }
        if result == -ECANCELED || result == -EINTR {
            if lifecycle != .running {
                var error = RingIOError.shutDown(operation, path: path, fd: fd)
                error.errno = .canceled
                error.hint = "The RingExecutor was shut down while this operation was in flight; it was cancelled"
                throw error
            }
            if Task.isCancelled { throw CancellationError() }
            if let timeout { throw RingIOError.timedOut(operation, after: timeout, path: path, fd: fd) }
        }
        throw RingIOError.fromResult(result, operation: operation, path: path, fd: fd)
    }

    @inline(__always)
    private func submit(
        slot: UInt32, userData: UInt64, timeout: Duration?, _ prepare: (UnsafeMutablePointer<io_uring_sqe>) -> Void
    ) async -> Int32 {
        // The underscored variant inherits the caller's executor without taking an `isolated`
        // parameter: `withUnsafeContinuation(isolation:)` makes the compiler hop to that isolation
        // before the call, one more swift_task_switch per I/O (which, for a task with an executor
        // preference, takes the task's status-record lock). See Benchmarks/README.md.
        await _unsafeInheritExecutor_withUnsafeContinuation { (continuation: UnsafeContinuation<Int32, Never>) in
            table.arm(slot, continuation)
            issue(slot: slot, userData: userData, timeout: timeout, prepare)
        }
    }

    /// Hands an armed slot's request to the kernel (or, on the thread-pool backend, to a worker):
    /// fills in an SQE with `prepare` and `userData`, plus a linked IORING_OP_LINK_TIMEOUT when
    /// `timeout` is set. A refused submission completes the slot at once with the errno.
    @inline(__always)
    func issue(slot: UInt32, userData: UInt64, timeout: Duration?, _ prepare: (UnsafeMutablePointer<io_uring_sqe>) -> Void) {
        guard let unretainedRing else {
            // Thread-pool backend: describe the request in an SQE and let a worker perform it.
            // (Linked timeouts and cancellation cannot interrupt a blocking syscall.)
            var request = WorkerPool.Request(sqe: io_uring_sqe(), userData: userData)
            withUnsafeMutablePointer(to: &request.sqe) { prepare($0) }
            workers!.submit(request)
            return
        }
        let failure = unretainedRing._withUnsafeGuaranteedRef { ring -> RingIOError? in
            do throws(RingIOError) {
                if let timeout {
                    // The operation and its timeout must reach the kernel in the same submission.
                    try ring.reserve(2)
                    let sqe = try ring.nextSQE()
                    prepare(sqe)
                    io_uring_sqe_set_data64(sqe, userData)
                    sqe.pointee.flags |= RINGIO_IOSQE_IO_LINK
                    let spec = table.timeoutStorage(for: slot)
                    let (seconds, attoseconds) = timeout.components
                    spec.pointee = __kernel_timespec(tv_sec: max(0, seconds), tv_nsec: seconds < 0 ? 0 : attoseconds / 1_000_000_000)
                    let timer = try ring.nextSQE()
                    io_uring_prep_link_timeout(timer, spec, 0)
                    io_uring_sqe_set_data64(timer, UserData.linkTimeout)
                } else {
                    let sqe = try ring.nextSQE()
                    prepare(sqe)
                    io_uring_sqe_set_data64(sqe, userData)
                }
            } catch {
                return error
            }
            return nil
        }
        if let failure {
            table.complete(userData, result: -(failure.errno?.rawValue ?? EBUSY))
        }
    }

    /// Waits in FIFO order for a free slot (back-pressure when `maxInFlight` operations are out).
    func waitForSlot(_ operation: Operation, path: String?, fd: Int32?, cancellable: Bool) async throws -> UInt32 {
        let id = table.makeWaiterID()
        let granted: UInt32?
        if cancellable {
            // Back-pressure is the slow path; a hook allocated here is fine.
            let hook = UnsafeMutablePointer<ringio_cancel_hook>.allocate(capacity: 1)
            defer { hook.deallocate() }
            hook.pointee = ringio_cancel_hook(fn: ringioCancelWaiter, core: Unmanaged.passUnretained(self).toOpaque(), user_data: id)
            granted = await withCancellationHook(hook) {
                await withUnsafeContinuation { (continuation: UnsafeContinuation<UInt32?, Never>) in
                    table.enqueueWaiter(continuation, id: id)
                }
            }
        } else {
            granted = await withUnsafeContinuation { (continuation: UnsafeContinuation<UInt32?, Never>) in
                table.enqueueWaiter(continuation, id: id)
            }
        }
        guard let slot = granted else {
            if lifecycle != .running { throw RingIOError.shutDown(operation, path: path, fd: fd) }
            throw CancellationError()
        }
        if lifecycle != .running {
            table.release(slot)
            throw RingIOError.shutDown(operation, path: path, fd: fd)
        }
        if cancellable && Task.isCancelled {
            table.release(slot)
            throw CancellationError()
        }
        return slot
    }
}


/// Cancellation hook of an in-flight operation (any thread): ask the loop for IORING_OP_ASYNC_CANCEL.
private func ringioCancelOperation(core: UnsafeMutableRawPointer?, userData: UInt64) {
    // Safety: the hook is removed before the operation's slot is released, and the core outlives its operations.
    Unmanaged<LoopCore>.fromOpaque(core!).takeUnretainedValue().requestCancel(userData)
}

/// Cancellation hook of a caller waiting for a slot (any thread): ask the loop to drop the waiter.
private func ringioCancelWaiter(core: UnsafeMutableRawPointer?, id: UInt64) {
    // Safety: as above; the waiter's hook is removed before `waitForSlot` returns.
    Unmanaged<LoopCore>.fromOpaque(core!).takeUnretainedValue().requestWaiterCancel(id)
}
