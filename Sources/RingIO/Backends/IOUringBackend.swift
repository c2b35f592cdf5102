internal import CRingIO
import Glibc

/// The io_uring backend: one ring, its registered-file table, the eventfd read that lets other
/// threads wake a loop blocked in the kernel, and the per-turn submission policy.
///
/// Loop-confined: made, used and closed on the loop thread (IORING_SETUP_SINGLE_ISSUER).
@safe  // Safety: owns wakeBuffer and completions (allocated in init, freed in deinit after close() took the wake read back); lent only to the ring.
final class IOUringBackend {
    let ring: Ring
    private var fixedFiles: FixedFileTable?
    private let encoder: RequestEncoder
    private let mailbox: Mailbox
    /// The eventfd other threads write to wake the loop (through the mailbox); closed by `close`.
    let eventFD: Int32
    private let wakeBuffer: UnsafeMutablePointer<UInt64>
    /// Whether the eventfd read is pending on the ring; the loop never blocks without it.
    private var wakeArmed = false
    /// Set while the ring is being closed: the wake read is cancelled, not re-armed.
    private var closing = false
    /// `RingExecutorConfiguration.idleSpin`, in nanoseconds (0: block at once).
    private let idleSpinNanoseconds: UInt64
    private let completions: UnsafeMutablePointer<ringio_completion>
    private static let completionCapacity: UInt32 = 256
    /// Submit each job's SQEs right after the job instead of once per turn. Chosen per turn: when
    /// many requests are still in flight after the kernel had the chance to complete them inline
    /// (device-bound I/O such as O_DIRECT), waiting for the whole turn leaves the device's queue
    /// half empty; when they complete inline (page cache), one `io_uring_enter` per turn is cheaper.
    private var eagerSubmission = false
    /// In-flight requests above which the loop submits eagerly.
    private static let eagerSubmissionThreshold = 4
    /// Whether the kernel has IORING_OP_FTRUNCATE (6.9+); without it a helper thread runs ftruncate(2).
    private let supportsFtruncate: Bool
    /// Worker for the opcodes this kernel lacks; started on first use.
    private var blockingHelper: ThreadPoolBackend?
    /// How many times the kernel's CQ overflow list had to be flushed.
    var overflowFlushes: Int { ring.overflowFlushes }
    /// `io_uring_enter` calls so far, and the SQEs they submitted.
    var enterCalls: Int { ring.enterCalls }
    var submittedEntries: Int { ring.submittedEntries }

    /// Takes over `ring`, creates the wake-up eventfd and arms its read.
    ///
    /// - Parameters:
    ///   - fixedBuffers: whether the pool is registered with this ring.
    ///   - registeredFiles: slots for the registered-file table (0: none).
    ///   - supportsFtruncate: false to route truncation to the helper thread even where the kernel has it (tests).
    /// - Throws: `RingIOError` when eventfd() fails or the SQ refuses the wake read.
    ///   - messageWakeups: let other loops of the group wake this one with IORING_OP_MSG_RING, and
    ///     this one wake them so.
    ///   - idleSpin: how long an idle loop watches its mailbox before blocking.
    ///   - failingMessages: aim other loops' messages at the eventfd (not a ring), so that each
    ///     fails and the sender falls back to the eventfd (tests).
    init(
        ring: Ring, fixedBuffers: Bool, registeredFiles: Int, supportsFtruncate: Bool, mailbox: Mailbox,
        messageWakeups: Bool, failingMessages: Bool = false, idleSpin: Duration = .zero
    ) throws(RingIOError) {
        let (seconds, attoseconds) = idleSpin.components
        self.idleSpinNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        // Blocking on purpose: some kernels complete an io_uring read of an O_NONBLOCK file at once
        // with EAGAIN instead of waiting for it to become readable.
        let fd = eventfd(0, Int32(EFD_CLOEXEC))
        guard fd >= 0 else {
            throw RingIOError(code: .system, errno: .init(rawValue: ringio_errno()), operation: .setup, hint: "eventfd() failed")
        }
        self.ring = ring
        self.fixedFiles = FixedFileTable(ring: ring, count: registeredFiles)
        self.encoder = RequestEncoder(fixedBuffers: fixedBuffers, registeredFiles: fixedFiles != nil)
        self.supportsFtruncate = supportsFtruncate
        self.mailbox = mailbox
        self.eventFD = fd
        // Safety: both buffers are owned by self and freed in deinit; completions stays uninitialized until ringio_reap writes it (a trivial C struct).
        unsafe self.wakeBuffer = .allocate(capacity: 1)
        unsafe self.wakeBuffer.initialize(to: 0)
        unsafe self.completions = .allocate(capacity: Int(Self.completionCapacity))
        do throws(RingIOError) { try armWakeRead() } catch {
            Glibc.close(fd)
            throw error
        }
        mailbox.useEventFD(fd)
        if messageWakeups {
            // Safety: the ring is this thread's (set up here) and open; close() clears this before closing it.
            unsafe ringio_set_current_ring(ring.raw)
            mailbox.useRingFD(failingMessages ? fd : ring.descriptor)
        }
    }

    deinit {
        // `close()` ran first (the loop closes its backend before releasing it).
        // Safety: close() took the wake read back, so the kernel no longer writes wakeBuffer; if init threw, the read was never prepared.
        unsafe wakeBuffer.deallocate()
        unsafe completions.deallocate()
    }

    /// Whether files get registered-file slots.
    var hasRegisteredFiles: Bool { fixedFiles != nil }

    // MARK: Requests

    /// Encodes `request` into the ring (with its linked timeout), or hands it to the helper
    /// thread when the kernel lacks its opcode.
    ///
    /// - Returns: a negative errno when the SQ refused it (the caller completes it with that), else nil.
    @inline(__always)
    func issue(
        _ request: IORequest, userData: UInt64, timeout: Duration?,
        timeoutStorage: UnsafeMutablePointer<__kernel_timespec>
    ) -> Int32? {
        if !supportsFtruncate && request.isTruncate {
            issueToHelper(request, userData: userData)
            return nil
        }
        do throws(RingIOError) {
            // Safety: the request's memory is kept valid by its builder until completion (IORequest); timeoutStorage belongs to the held slot.
            unsafe try encoder.encode(request, userData: userData, timeout: timeout, timeoutStorage: timeoutStorage, on: ring)
        } catch {
            return -(error.errno?.rawValue ?? EBUSY)
        }
        return nil
    }

    @inline(never)
    private func issueToHelper(_ request: IORequest, userData: UInt64) {
        if blockingHelper == nil {
            do throws(RingIOError) {
                blockingHelper = try ThreadPoolBackend(threadCount: 1, mailbox: mailbox)
            } catch {
                mailbox.post { $0.completions.append((userData, -(error.errno?.rawValue ?? EAGAIN))) }
                return
            }
        }
        blockingHelper!.issue(request, userData: userData)
    }

    /// Prepares IORING_OP_ASYNC_CANCEL for `userData`.
    func cancel(_ userData: UInt64) {
        do throws(RingIOError) {
            // Safety: the SQE is the ring's next free one, written before any submit; ASYNC_CANCEL carries no pointer, only the target's user_data.
            let sqe = unsafe try ring.nextSQE()
            unsafe io_uring_prep_cancel64(sqe, userData, 0)
            unsafe io_uring_sqe_set_data64(sqe, UserData.cancel)
        } catch {
            LoopDiagnostics.report(error)
        }
    }

    /// Submits the SQEs prepared so far at once when the I/O in flight is waiting for a device
    /// (more than `eagerSubmissionThreshold` operations really out), so the device's queue does
    /// not sit half empty until the turn ends; otherwise leaves them for the turn's single
    /// `io_uring_enter`.
    @inline(__always)
    func submitIfDeviceBound(armedCount: Int) {
        guard !ring.isClosed else { return }
        let pending = ring.pendingSubmissions
        guard pending > 0,
              eagerSubmission || armedCount - Int(pending) - Int(ring.readyCompletions) > Self.eagerSubmissionThreshold
        else { return }
        do throws(RingIOError) { try ring.submit() } catch { LoopDiagnostics.report(error) }
    }

    // MARK: The turn

    /// The turn's one `io_uring_enter`: submits what the jobs prepared, and, when no job is
    /// ready, blocks until a completion or a post (through the eventfd read) arrives; then reaps.
    /// After `close`, sleeps on the mailbox instead (jobs may still run on the loop).
    func turn(hasReadyJobs: Bool, table: OperationTable) {
        if ring.isClosed {
            if !hasReadyJobs { mailbox.sleepUntilPosted() }
            return
        }
        submitAndWait(hasReadyJobs: hasReadyJobs, armedCount: table.armedCount)
        reap(into: table)
    }

    private func submitAndWait(hasReadyJobs: Bool, armedCount: Int) {
        do throws(RingIOError) {
            if hasReadyJobs {
                if ring.pendingSubmissions > 0 || armedCount > 0 { try ring.submitAndGetEvents() }
                return
            }
            // Idle: watch the mailbox for a while first (posters see the loop awake and send no
            // wake-up). Only with nothing in flight: under DEFER_TASKRUN completions of device
            // I/O reach the CQ only inside io_uring_enter, which spinning would delay.
            if idleSpinNanoseconds > 0 && armedCount == 0 && spinWhileIdle() {
                if ring.pendingSubmissions > 0 { try ring.submitAndGetEvents() }
                return
            }
            // Never block without the wake read pending: other threads could not wake us.
            if !wakeArmed { try armWakeRead() }
            if mailbox.willSleepInRing() {
                try ring.submitAndWait(1)
            } else {
                try ring.submitAndGetEvents()
            }
            mailbox.wokeUp()
        } catch {
            mailbox.wokeUp()
            LoopDiagnostics.report(error)
        }
    }

    /// Watches the mailbox and the CQ for up to `idleSpinNanoseconds` (after submitting what is
    /// prepared); true as soon as either has something.
    private func spinWhileIdle() -> Bool {
        do throws(RingIOError) {
            if ring.pendingSubmissions > 0 { try ring.submitAndGetEvents() }
        } catch {
            LoopDiagnostics.report(error)
        }
        let deadline = ringio_monotonic_nanoseconds() &+ idleSpinNanoseconds
        repeat {
            for _ in 0..<64 {
                if !mailbox.isEmpty || ring.readyCompletions > 0 { return true }
                ringio_cpu_relax()
            }
        } while ringio_monotonic_nanoseconds() < deadline
        return false
    }

    /// Delivers every ready completion to `table` (the eventfd read's is re-armed instead).
    func reap(into table: OperationTable) {
        while true {
            // Safety: completions has exactly completionCapacity elements, so ringio_reap copies in bounds.
            let count = unsafe ring.reap(into: completions, capacity: Self.completionCapacity)
            if count == 0 { break }
            for index in 0..<count {
                // Safety: index < count, and ringio_reap initialized the first count elements.
                let completion = unsafe completions[index]
                switch completion.user_data {
                case UserData.wake:
                    wakeArmed = false
                    // Re-armed here, or before the loop next blocks if the SQ refuses it now.
                    do throws(RingIOError) { try armWakeRead() } catch { LoopDiagnostics.report(error) }
                case UserData.cancel, UserData.linkTimeout, UserData.message:
                    break
                default:
                    if let peer = UserData.failedMessageTarget(completion.user_data) {
                        mailbox.messageFailed(toLoop: peer)
                    } else {
                        table.complete(completion.user_data, result: completion.res)
                    }
                }
            }
        }
        eagerSubmission = table.armedCount > Self.eagerSubmissionThreshold
    }

    /// Keeps one read of the eventfd pending on the ring, so other threads can wake a blocked loop.
    private func armWakeRead() throws(RingIOError) {
        guard !wakeArmed, !closing else { return }
        // Safety: the SQE is the ring's next free one; wakeBuffer holds the 8 bytes read and is freed only in deinit, after close() took this read back.
        let sqe = unsafe try ring.nextSQE()
        unsafe io_uring_prep_read(sqe, eventFD, wakeBuffer, 8, 0)
        unsafe io_uring_sqe_set_data64(sqe, UserData.wake)
        wakeArmed = true
    }

    // MARK: Registered files

    /// Puts `fd` in a free registered-file slot; nil when the table is full or off.
    func registerFile(_ fd: Int32) -> Int32? {
        fixedFiles?.register(fd)
    }

    /// Empties a registered-file slot (the kernel drops its reference once in-flight requests finish).
    func releaseFileSlot(_ slot: Int32) {
        fixedFiles?.release(slot)
    }

    /// Registered-file slots not in use.
    var freeFileSlots: Int? { fixedFiles?.freeCount }

    // MARK: Shutdown

    /// Tears the ring down once nothing is in flight: takes the wake read back, unregisters the
    /// buffers and files, closes the ring and the eventfd, and stops the helper thread.
    func close(table: OperationTable) {
        // Take the wake read back from the kernel first, so it cannot write into `wakeBuffer`
        // after the ring is gone.
        closing = true
        // Safety: the SQE is the ring's next free one; ASYNC_CANCEL of the wake read carries no pointer, only UserData.wake.
        if wakeArmed, let sqe = unsafe try? ring.nextSQE() {
            unsafe io_uring_prep_cancel64(sqe, UserData.wake, 0)
            unsafe io_uring_sqe_set_data64(sqe, UserData.cancel)
            while wakeArmed {
                do throws(RingIOError) { try ring.submitAndWait(1) } catch { LoopDiagnostics.report(error); break }
                reap(into: table)
            }
        }
        ring.unregisterBuffers()
        fixedFiles = nil
        // No more messages from this thread's ring, and none to it, before it closes.
        ringio_set_current_ring(nil)
        mailbox.retireWakeups()
        ring.close()
        Glibc.close(eventFD)
        blockingHelper?.close()
        blockingHelper = nil
    }
}

@available(*, unavailable)
extension IOUringBackend: Sendable {}
