internal import CRingIO
import Glibc

extension LoopCore {
    /// The file layer's door to the loop: submits `request` and suspends until its completion
    /// arrives. Call on the loop thread only.
    ///
    /// The continuation is resumed only by the operation's own CQE, never by cancellation: a
    /// cancelled task gets IORING_OP_ASYNC_CANCEL submitted for it and still waits for the
    /// operation to finish, so the kernel is done with every buffer before this returns or throws.
    ///
    /// - Parameters:
    ///   - request: what to do; encoded once, by the backend's `RequestEncoder`.
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
    /// - Returns: the completion's non-negative `res`.
    /// - Throws: `RingIOError` for a negative result or a shut-down executor; `CancellationError`
    ///   when the task was cancelled and the operation did not complete (`CompletionError`).
    @inline(__always)
    func perform(
        _ request: IORequest,
        _ operation: Operation,
        path: String? = nil,
        fd: Int32? = nil,
        cancellable: Bool = true,
        cancelInFlight: Bool = true,
        timeout: Duration? = nil,
        revalidate: () throws -> Void = {}
    ) async throws -> Int32 {
        assert(isLoopThread, "RingIO operations must run on the executor's thread")
        guard lifecycle == .running else { throw RingIOError.shutDown(operation, path: path, fd: fd) }
        if cancellable && currentTaskIsCancelled() { throw CancellationError() }
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
        // With metrics on, each operation's latency from submission to completion.
        let started = statistics == nil ? 0 : ringio_monotonic_nanoseconds()
        let result: Int32
        if cancellable && cancelInFlight {
            // Safety: the slot's hook storage stays ours until release(slot) below, after withCancellationHook removed the hook;
            // the core is passed unretained, but this suspended call keeps it alive while the hook can run.
            let hook = unsafe table.cancelHook(for: slot)
            unsafe hook.pointee = unsafe ringio_cancel_hook(fn: ringioCancelOperation, core: Unmanaged.passUnretained(self).toOpaque(), user_data: userData)
            result = unsafe await withCancellationHook(hook) {
                await submit(request, slot: slot, userData: userData, timeout: timeout)
            }
        } else {
            result = await submit(request, slot: slot, userData: userData, timeout: timeout)
        }
        // The resume must come back to the loop thread: the table is loop-confined (see `onLoop`).
        assert(isLoopThread, "RingIO: an operation resumed off the executor's thread")
        // Only now, with the hook (which lives in the slot) removed, may another operation reuse it.
        table.release(slot)
        if let statistics {
            statistics.record(kind: LoopStatistics.index(of: request.kind), result: result)
            statistics.recordLatency(nanoseconds: ringio_monotonic_nanoseconds() &- started)
        }
        if result >= 0 { return result }
        throw CompletionError.thrown(
            for: result, operation: operation, path: path, fd: fd, loopRunning: lifecycle == .running || lifecycle == .draining,
            taskCancelled: Task.isCancelled, timeout: timeout)
    }

    @inline(__always)
    private func submit(_ request: IORequest, slot: UInt32, userData: UInt64, timeout: Duration?) async -> Int32 {
        await withLoopContinuation { (continuation: LoopContinuation<Int32>) in
            table.arm(slot, continuation)
            issue(request, slot: slot, userData: userData, timeout: timeout)
        }
    }

    /// Hands an armed slot's request to the backend. A refused submission completes the slot at
    /// once with the errno.
    @inline(__always)
    func issue(_ request: IORequest, slot: UInt32, userData: UInt64, timeout: Duration?) {
        // Safety: the slot's timespec stays valid while the slot is held (until after completion); request memory is the builder's (IORequest).
        unsafe backend.issue(request, userData: userData, timeout: timeout, timeoutStorage: table.timeoutStorage(for: slot), table: table)
    }

    /// Waits in FIFO order for a free slot (back-pressure when `maxInFlight` operations are out).
    func waitForSlot(_ operation: Operation, path: String?, fd: Int32?, cancellable: Bool) async throws -> UInt32 {
        let id = table.makeWaiterID()
        let granted: UInt32?
        if cancellable {
            // Back-pressure is the slow path; a hook allocated here is fine.
            let hook = UnsafeMutablePointer<ringio_cancel_hook>.allocate(capacity: 1)
            // Safety: the defer frees the hook only after withCancellationHook returned, i.e. after the hook was removed and can no longer run;
            // the core is passed unretained, but this suspended call keeps it alive while the hook is installed.
            defer { unsafe hook.deallocate() }
            unsafe hook.pointee = unsafe ringio_cancel_hook(fn: ringioCancelWaiter, core: Unmanaged.passUnretained(self).toOpaque(), user_data: id)
            granted = unsafe await withCancellationHook(hook) {
                await withLoopContinuation { (continuation: LoopContinuation<UInt32?>) in
                    table.enqueueWaiter(continuation, id: id)
                }
            }
        } else {
            granted = await withLoopContinuation { (continuation: LoopContinuation<UInt32?>) in
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


extension LoopCore {
    // MARK: Registered files

    /// Registers `fd` in the registered-file table (loop thread); nil when full, off, or shut down.
    func registerFile(_ fd: Int32) -> Int32? {
        assert(isLoopThread)
        guard lifecycle == .running else { return nil }
        return backend.registerFile(fd)
    }

    /// Empties a registered-file slot: at once on the loop thread, else through the mailbox.
    func releaseFileSlot(_ slot: Int32) {
        if isLoopThread {
            backend.releaseFileSlot(slot)
        } else {
            mailbox.post { $0.fileSlotReleases.append(slot) }
        }
    }

    /// Registered-file slots not in use (loop thread; for tests and diagnostics).
    var freeFileSlots: Int? {
        if case .ioUring(let ring) = backend { return ring.freeFileSlots }
        return nil
    }

    // MARK: Cancellation requests (any thread)

    /// Asks the loop to cancel the operation `userData` (from a cancellation handler, any thread).
    func requestCancel(_ userData: UInt64) {
        mailbox.post { $0.cancels.append(userData) }
    }

    /// Asks the loop to cancel every operation of a pipeline (from a cancellation handler, any thread).
    ///
    /// - Parameter sink: a `CompletionSink` retained by the caller; the loop releases it.
    func requestCancel(ofRetainedSink sink: UnsafeMutableRawPointer) {
        let address = UInt(bitPattern: sink)
        mailbox.post { $0.sinkCancels.append(address) }
    }

    /// Asks the loop to drop the slot waiter `id` (from a cancellation handler, any thread).
    func requestWaiterCancel(_ id: UInt64) {
        mailbox.post { $0.waiterCancels.append(id) }
    }
}

/// Cancellation hook of an in-flight operation (any thread): ask the loop for IORING_OP_ASYNC_CANCEL.
private func ringioCancelOperation(core: UnsafeMutableRawPointer?, userData: UInt64) {
    // Safety: the hook is removed before the operation's slot is released, and the core outlives its operations.
    unsafe Unmanaged<LoopCore>.fromOpaque(core!).takeUnretainedValue().requestCancel(userData)
}

/// Cancellation hook of a caller waiting for a slot (any thread): ask the loop to drop the waiter.
private func ringioCancelWaiter(core: UnsafeMutableRawPointer?, id: UInt64) {
    // Safety: as above; the waiter's hook is removed before `waitForSlot` returns.
    unsafe Unmanaged<LoopCore>.fromOpaque(core!).takeUnretainedValue().requestWaiterCancel(id)
}
