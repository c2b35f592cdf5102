internal import CRingIO
import Glibc

/// Owns one io_uring instance: setup with flag fallback, SQE hand-out, batched submit and reap.
///
/// Loop-confined: created, used and destroyed on the executor's thread only (SINGLE_ISSUER
/// requires it), so it is deliberately not `Sendable`.
@safe  // Safety: owns `raw`: allocated in init, set up by io_uring_queue_init_params (freed if no attempt succeeds),
// exited once in close() and freed in deinit; not Sendable (loop thread only), and callers stop using it once isClosed.
final class Ring {
    /// The liburing ring; valid until `close()`.
    let raw: UnsafeMutablePointer<io_uring>
    /// The setup flags the kernel accepted.
    let flags: SetupFlags
    /// IORING_FEAT_* bits reported by the kernel.
    let features: UInt32
    /// SQ entries.
    let entries: UInt32
    /// Whether the kernel has IORING_OP_FTRUNCATE (6.9+).
    let supportsFtruncate: Bool
    private(set) var isClosed = false
    /// How many times the kernel's CQ overflow list had to be flushed (observability and tests).
    private(set) var overflowFlushes = 0
    /// `io_uring_enter` calls made to submit or wait, and the SQEs they submitted (metrics: the
    /// batch size is their ratio).
    private(set) var enterCalls = 0
    private(set) var submittedEntries = 0

    /// Creates a ring, trying `SetupFlags.fallbackChain` from `policy` down until the kernel accepts.
    ///
    /// - Parameters:
    ///   - entries: SQ size (a power of two is used by the kernel).
    ///   - completionEntries: CQ size; at least `entries`.
    ///   - preferred: the flags to try first; weaker sets are tried on EINVAL.
    /// - Throws: `RingIOError` with `.ioUringUnavailable` for EPERM/ENOSYS, `.system` otherwise.
    init(entries: UInt32, completionEntries: UInt32, preferred: SetupFlags) throws(RingIOError) {
        let raw = UnsafeMutablePointer<io_uring>.allocate(capacity: 1)
        var lastError: Int32 = -EINVAL
        for candidate in SetupFlags.fallbackChain where preferred.isSuperset(of: candidate) {
            var params = io_uring_params()
            params.flags = candidate.rawValue | UInt32(IORING_SETUP_CQSIZE)
            params.cq_entries = max(completionEntries, entries)
            // Safety: raw has room for one io_uring and params is a local; liburing zeroes and sets up *raw, and undoes its own work on failure.
            let result = unsafe io_uring_queue_init_params(entries, raw, &params)
            if result == 0 {
                // Safety: setup succeeded, so raw is a live ring from here until close(); the opcode probe only reads it and frees its probe.
                unsafe self.raw = unsafe raw
                self.flags = candidate
                self.features = params.features
                self.entries = entries
                self.supportsFtruncate = unsafe ringio_opcode_supported(raw, RINGIO_OP_FTRUNCATE)
                return
            }
            lastError = result
            if result != -EINVAL { break }
        }
        // Safety: every attempt failed, so liburing left nothing mapped or open in raw; allocated above, freed exactly once here.
        unsafe raw.deallocate()
        throw Ring.setupError(lastError, entries: entries)
    }

    /// The next free SQE, flushing the SQ to the kernel first when it is full.
    ///
    /// - Throws: `RingIOError` if the flush fails for a reason other than a transient one.
    @inline(__always)
    func nextSQE() throws(RingIOError) -> UnsafeMutablePointer<io_uring_sqe> {
        // Safety: raw is open (nothing uses the ring after close()); the SQE lies in the ring's mmapped SQE array, the caller's to fill before the next submit.
        if let sqe = unsafe io_uring_get_sqe(raw) { return unsafe sqe }
        return unsafe try nextSQESlowPath()
    }

    @inline(never)
    private func nextSQESlowPath() throws(RingIOError) -> UnsafeMutablePointer<io_uring_sqe> {
        try submit()
        // Safety: as in nextSQE: an SQE of this open ring's mmapped array, made free by the submit just above.
        if let sqe = unsafe io_uring_get_sqe(raw) { return unsafe sqe }
        // Only reachable if the kernel refused the flush (CQ full); the CQ is sized so this cannot happen.
        throw RingIOError(
            code: .system, errno: .resourceBusy, operation: .submit,
            hint: "The submission queue is full and the kernel would not take more; raise `entries`")
    }

    /// Makes sure `count` SQEs can be taken without a flush in between (linked SQEs must reach the
    /// kernel in one submission).
    func reserve(_ count: UInt32) throws(RingIOError) {
        // Safety: io_uring_sq_space_left only reads the SQ head and tail of this open ring.
        if unsafe io_uring_sq_space_left(raw) < count { try submit() }
        guard unsafe io_uring_sq_space_left(raw) >= count else {
            throw RingIOError(
                code: .system, errno: .resourceBusy, operation: .submit,
                hint: "The submission queue has no room for a request and its linked timeout; raise `entries`")
        }
    }

    /// Completions posted to the CQ and not yet reaped.
    var readyCompletions: UInt32 { unsafe io_uring_cq_ready(raw) }  // Safety: reads the CQ head and tail of this open ring.

    /// How many SQEs are prepared and not yet submitted.
    var pendingSubmissions: UInt32 { unsafe ringio_sq_pending(raw) }  // Safety: reads this open ring's local SQE head and tail.

    /// Submits everything prepared without waiting (io_uring_enter once, if anything is prepared).
    func submit() throws(RingIOError) {
        // Safety: enter hands the closure this open ring; io_uring_submit takes nothing else.
        unsafe try enter { unsafe io_uring_submit($0) }
    }

    /// Submits everything prepared and flushes completion work, without blocking.
    func submitAndGetEvents() throws(RingIOError) {
        // Safety: enter hands the closure this open ring; io_uring_submit_and_get_events takes nothing else.
        unsafe try enter { unsafe io_uring_submit_and_get_events($0) }
    }

    /// Submits everything prepared and blocks until at least `count` completions are ready.
    func submitAndWait(_ count: UInt32) throws(RingIOError) {
        // Safety: enter hands the closure this open ring; the wait count is a plain number.
        unsafe try enter { unsafe io_uring_submit_and_wait($0, count) }
    }

    private func enter(_ call: (UnsafeMutablePointer<io_uring>) -> Int32) throws(RingIOError) {
        while true {
            // Safety: raw is this open ring, and call is one of the liburing submit functions above, which take only the ring.
            let result = unsafe call(raw)
            enterCalls += 1
            if result >= 0 {
                submittedEntries += Int(result)
                return
            }
            switch -result {
            case EINTR:
                continue  // a signal interrupted the wait; nothing was lost
            case EBUSY, EAGAIN:
                // The CQ (and its overflow list) is full: the caller must reap before more can be submitted.
                return
            default:
                throw RingIOError.fromResult(result, operation: .submit)
            }
        }
    }

    /// Copies ready completions into `buffer`, flushing the kernel's overflow list when it has one.
    ///
    /// - Returns: the number copied; 0 when none are ready.
    @inline(__always)
    func reap(into buffer: UnsafeMutablePointer<ringio_completion>, capacity: UInt32) -> Int {
        // Safety: buffer has room for capacity completions (caller's contract) and ringio_reap copies at most capacity; raw is open.
        let count = unsafe ringio_reap(raw, buffer, capacity)
        if unsafe count == 0 && ringio_cq_overflowed(raw) {
            // NODROP kept completions that did not fit the CQ ring; ask the kernel to move them over.
            overflowFlushes += 1
            // Safety: io_uring_get_events only enters the kernel for this open ring; the second reap has the same bounds as the first.
            _ = unsafe io_uring_get_events(raw)
            return unsafe Int(ringio_reap(raw, buffer, capacity))
        }
        return Int(count)
    }

    /// Registers `count` iovecs as fixed buffers (IORING_REGISTER_BUFFERS).
    ///
    /// - Returns: 0 or a negative errno, for the buffer layer to explain.
    func registerBuffers(_ iovecs: UnsafePointer<iovec>, count: Int) -> Int32 {
        // Safety: the caller passes count initialized iovecs (BufferRegion.iovecs), read by the kernel during the call only; raw is open.
        unsafe io_uring_register_buffers(raw, iovecs, UInt32(count))
    }

    /// The ring's descriptor (what another ring names to clone this one's buffers).
    var descriptor: Int32 {
        // Safety: reads one field of the io_uring this ring owns, set up in init and never written again.
        unsafe raw.pointee.ring_fd
    }

    /// Shares the buffers registered with the ring `sourceDescriptor` (IORING_REGISTER_CLONE_BUFFERS,
    /// kernel 6.12): same pages, pinned once. This ring must have no buffers registered.
    ///
    /// - Returns: 0 or a negative errno (-EINVAL on kernels without the opcode).
    func cloneBuffers(from sourceDescriptor: Int32) -> Int32 {
        // Safety: takes only this open ring; the kernel checks that sourceDescriptor is a ring and takes its own references.
        unsafe ringio_clone_buffers(raw, sourceDescriptor)
    }

    /// Unregisters the fixed buffers (IORING_UNREGISTER_BUFFERS); returns 0 or a negative errno.
    /// After `close()` it does nothing (-EBADF): the descriptor number may belong to another ring.
    @discardableResult
    func unregisterBuffers() -> Int32 {
        guard !isClosed else { return -EBADF }
        // Safety: takes only this open ring; callers unregister only with no fixed I/O in flight (shutdown, or a reregister with no lease out).
        return unsafe io_uring_unregister_buffers(raw)
    }

    /// Whether the kernel supports `opcode` (io_uring_get_probe_ring).
    func supports(_ opcode: Int32) -> Bool {
        // Safety: takes only this open ring; the helper frees the probe it allocates.
        unsafe ringio_opcode_supported(raw, opcode)
    }

    /// Registers `count` empty fixed-file slots; returns 0 or a negative errno.
    func registerSparseFiles(count: Int) -> Int32 {
        // Safety: takes only this open ring and a count; no user memory is passed.
        unsafe io_uring_register_files_sparse(raw, UInt32(count))
    }

    /// Points fixed-file `slot` at `fd` (-1 empties it); returns how many slots changed, or a negative errno.
    func updateFile(slot: Int32, fd: Int32) -> Int32 {
        var descriptor = fd
        // Safety: &descriptor points to one local Int32, matching nr 1, alive for the call; the kernel copies it; raw is open.
        return unsafe io_uring_register_files_update(raw, UInt32(slot), &descriptor, 1)
    }

    /// Tears the ring down (io_uring_queue_exit). Only when nothing the caller cares about is in flight.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        // Safety: the isClosed guard makes this run once, on a ring set up in init; afterwards raw is only deallocated.
        unsafe io_uring_queue_exit(raw)
    }

    deinit {
        close()
        // Safety: close() above exited the ring (now or earlier), so raw holds no live ring; allocated in init, freed exactly once here.
        unsafe raw.deallocate()
    }

    private static func setupError(_ result: Int32, entries: UInt32) -> RingIOError {
        let errno = Errno(rawValue: -result)
        switch -result {
        case EPERM:
            return RingIOError(
                code: .ioUringUnavailable, errno: errno, operation: .setup,
                hint: "io_uring is disabled for this process. \(Ring.disabledReason()) "
                    + "Enable it with `sysctl -w kernel.io_uring_disabled=0`, or allow io_uring_setup/io_uring_enter/io_uring_register in the container's seccomp profile")
        case ENOSYS:
            return RingIOError(
                code: .ioUringUnavailable, errno: errno, operation: .setup,
                hint: "This kernel has no io_uring (built without CONFIG_IO_URING, or a seccomp filter answers ENOSYS); RingIO needs Linux 5.15 or later with io_uring enabled")
        case ENOMEM:
            let limit = ringio_memlock_limit()
            guard limit != UInt64.max && geteuid() != 0 else {
                // Not limited by RLIMIT_MEMLOCK (unlimited, or root, whom the kernel does not charge).
                return RingIOError(
                    code: .system, errno: errno, operation: .setup,
                    hint: "The kernel could not allocate memory for the ring (\(entries) entries); free memory or use fewer entries")
            }
            return RingIOError(
                code: .lockedMemoryLimit, errno: errno, operation: .setup,
                hint: "The kernel refused the ring's memory: for a process without CAP_IPC_LOCK it charges the ring, like registered buffers, to the user's locked memory, which RLIMIT_MEMLOCK caps (`ulimit -l`, now \(limit) bytes). Memory pinned by this user's other processes counts too, including one that just exited (the kernel releases it a moment later). Raise `ulimit -l`, use fewer entries, or retry")
        default:
            return RingIOError.fromResult(result, operation: .setup)
        }
    }

    /// Explains EPERM from the sysctl's current value, when it can be read.
    private static func disabledReason() -> String {
        // Safety: the path is a NUL-terminated string literal; the descriptor is closed by the defer below.
        let fd = unsafe Glibc.open("/proc/sys/kernel/io_uring_disabled", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "A seccomp profile probably blocks it." }
        defer { _ = Glibc.close(fd) }
        var byte: UInt8 = 0
        // Safety: reads at most 1 byte into the local byte, which has room for exactly 1.
        guard unsafe Glibc.read(fd, &byte, 1) == 1 else { return "" }
        switch byte {
        case UInt8(ascii: "2"): return "The sysctl kernel.io_uring_disabled is 2 (io_uring off for everyone)."
        case UInt8(ascii: "1"): return "The sysctl kernel.io_uring_disabled is 1 (only members of kernel.io_uring_group may use it)."
        default: return "kernel.io_uring_disabled is 0, so a seccomp profile (e.g. a container runtime's default) probably blocks it."
        }
    }
}

@available(*, unavailable)
extension Ring: Sendable {}
