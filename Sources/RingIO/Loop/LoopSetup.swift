internal import CRingIO

/// Setup policy, run once on the loop thread: which backend, which ring flags, how much of the
/// pool RLIMIT_MEMLOCK lets the kernel pin; the outcome and its reasons in `Capabilities`.
struct LoopSetup {
    let backend: Backend
    let pool: BufferPool
    let capabilities: Capabilities

    /// A group's pool, for its loops: the pool, and the ring that holds its registration.
    struct SharedPool: Sendable {
        let pool: BufferPool
        /// The descriptor of the ring to clone the registration from (`PoolRegistration`), or
        /// nil: each loop registers the pool itself (when `pool.isRegistered`).
        let sourceRing: Int32?
    }

    /// Sets up what `configuration` asks for, falling back as its policy allows.
    ///
    /// - Parameters:
    ///   - mailbox: where the backend's wake-ups and thread results go.
    ///   - shared: for a group's loops, the group's pool; nil for a pool of its own.
    ///   - notes: what the loop thread already has to say (a CPU it could not be pinned to).
    /// - Throws: `RingIOError`: `.ioUringUnavailable` or `.lockedMemoryLimit` when the policy
    ///   allows no fallback, or failures to map the buffers or start threads.
    init(
        configuration: RingExecutorConfiguration, mailbox: Mailbox, shared: SharedPool? = nil, notes: [String] = []
    ) throws(RingIOError) {
        var notes = notes
        let ring = try Self.makeRing(configuration, notes: &notes)
        var region: BufferRegion
        if let shared {
            region = shared.pool.region
        } else {
            region = try BufferRegion(count: configuration.buffers.count, size: configuration.buffers.size)
        }
        var registered = false
        var sharing = Capabilities.BufferSharing.notShared
        if let ring {
            if let shared {
                (registered, sharing) = try Self.sharePool(shared, region, on: ring, configuration, notes: &notes)
            } else {
                registered = try BufferRegistration.registerFitting(
                    &region, on: ring, fitToTheLimit: configuration.policy == .fallback,
                    forceUnregistered: configuration.forceUnregisteredBuffers, notes: &notes)
            }
            let backend = try IOUringBackend(
                ring: ring, fixedBuffers: registered, registeredFiles: configuration.registeredFiles,
                supportsFtruncate: ring.supportsFtruncate && !configuration.forceTruncateFallback, mailbox: mailbox,
                messageWakeups: configuration.messageWakeups && ring.supports(Int32(IORING_OP_MSG_RING.rawValue)),
                failingMessages: configuration.forceFailedWakeMessages, idleSpin: configuration.idleSpin)
            self.backend = .ioUring(backend)
            self.capabilities = Capabilities(
                backend: .ioUring, setupFlags: ring.flags, fixedBuffers: registered,
                registeredFiles: backend.hasRegisteredFiles, bufferCount: region.count, bufferSize: region.size,
                bufferSharing: sharing, notes: notes)
        } else {
            self.backend = .threadPool(try ThreadPoolBackend(threadCount: configuration.fallbackThreads, mailbox: mailbox))
            self.capabilities = Capabilities(
                backend: .threadPool, setupFlags: [], fixedBuffers: false, registeredFiles: false,
                bufferCount: region.count, bufferSize: region.size,
                bufferSharing: shared == nil ? .notShared : .unregistered, notes: notes)
        }
        self.pool = shared?.pool ?? BufferPool(region: region, registered: registered)
    }

    /// Gives this loop's ring the buffers of a group's pool: cloned from the group's
    /// registration (IORING_REGISTER_CLONE_BUFFERS, Linux 6.12: the same pinned pages, charged to
    /// RLIMIT_MEMLOCK once), else registered once more on this ring, else (under `.fallback`, when
    /// RLIMIT_MEMLOCK cannot pin them again) left unregistered here, so this loop uses plain
    /// READ/WRITE on the leases.
    ///
    /// - Returns: whether the buffers are registered with this ring, and how.
    private static func sharePool(
        _ shared: SharedPool, _ region: BufferRegion, on ring: Ring, _ configuration: RingExecutorConfiguration,
        notes: inout [String]
    ) throws(RingIOError) -> (Bool, Capabilities.BufferSharing) {
        guard shared.pool.isRegistered else { return (false, .unregistered) }
        var refusal = "the group has no registration to clone"
        if let source = shared.sourceRing {
            let cloned = configuration.forceCloneRefusal ? -EINVAL : ring.cloneBuffers(from: source)
            if cloned == 0 { return (true, .cloned) }
            refusal = "\(Errno(rawValue: -cloned))" + (cloned == -EINVAL ? "; it needs Linux 6.12" : "")
        }
        do throws(RingIOError) {
            try BufferRegistration.register(region, on: ring)
            notes.append("The kernel refused IORING_REGISTER_CLONE_BUFFERS (\(refusal)), so this loop registered the group's pool itself: its pages are pinned, and counted against RLIMIT_MEMLOCK, once more for this loop")
            return (true, .registeredPerLoop)
        } catch where configuration.policy == .fallback && error.code == .lockedMemoryLimit {
            notes.append("The kernel refused IORING_REGISTER_CLONE_BUFFERS (\(refusal)) and RLIMIT_MEMLOCK (\(ringio_memlock_limit()) bytes) cannot pin the group's pool once more, so this loop uses plain READ/WRITE on its leases; raise `ulimit -l` for fixed buffers on every loop")
            return (false, .unregistered)
        }
    }

    /// The ring, or nil when the thread-pool backend is to be used (requested, or io_uring is
    /// unavailable under `.fallback`).
    private static func makeRing(_ configuration: RingExecutorConfiguration, notes: inout [String]) throws(RingIOError) -> Ring? {
        let policy = configuration.policy
        guard policy != .threadPoolOnly else {
            notes.append(StartupLog.threadPoolRequested)
            return nil
        }
        do throws(RingIOError) {
            let ring = try Ring(
                entries: configuration.entries,
                completionEntries: configuration.completionEntriesOverride ?? UInt32(configuration.inFlightLimit * 2 + 64),
                preferred: configuration.setupFlags)
            if let missing = missingOpcode(ring) {
                throw RingIOError(
                    code: .ioUringUnavailable, errno: .notSupported, operation: .setup,
                    hint: "This kernel's io_uring lacks \(missing), which RingIO needs; Linux 5.15 or later has them")
            }
            return ring
        } catch where policy == .fallback && error.code == .lockedMemoryLimit {
            notes.append("RLIMIT_MEMLOCK (\(ringio_memlock_limit()) bytes) is too small for the ring itself, so blocking syscalls on \(configuration.fallbackThreads) threads do the I/O; raise `ulimit -l` for io_uring: \(error)")
            return nil
        } catch where policy == .fallback && error.code == .ioUringUnavailable {
            notes.append("io_uring is not available, so blocking syscalls on \(configuration.fallbackThreads) threads do the I/O: \(error)")
            return nil
        }
    }

    /// The first opcode RingIO needs that the ring's kernel lacks, or nil.
    private static func missingOpcode(_ ring: Ring) -> String? {
        let needed: [(Int32, String)] = [
            (Int32(IORING_OP_READ_FIXED.rawValue), "IORING_OP_READ_FIXED"),
            (Int32(IORING_OP_WRITE_FIXED.rawValue), "IORING_OP_WRITE_FIXED"),
            (Int32(IORING_OP_OPENAT.rawValue), "IORING_OP_OPENAT"),
            (Int32(IORING_OP_CLOSE.rawValue), "IORING_OP_CLOSE"),
            (Int32(IORING_OP_READ.rawValue), "IORING_OP_READ"),
            (Int32(IORING_OP_ASYNC_CANCEL.rawValue), "IORING_OP_ASYNC_CANCEL"),
        ]
        for (opcode, name) in needed where !ring.supports(opcode) { return name }
        return nil
    }
}
