internal import CRingIO

/// Setup policy, run once on the loop thread: which backend, which ring flags, how much of the
/// pool RLIMIT_MEMLOCK lets the kernel pin; the outcome and its reasons in `Capabilities`.
struct LoopSetup {
    let backend: Backend
    let pool: BufferPool
    let capabilities: Capabilities

    /// Sets up what `configuration` asks for, falling back as its policy allows.
    ///
    /// - Parameter mailbox: where the backend's wake-ups and thread results go.
    /// - Throws: `RingIOError`: `.ioUringUnavailable` or `.lockedMemoryLimit` when the policy
    ///   allows no fallback, or failures to map the buffers or start threads.
    init(configuration: RingExecutorConfiguration, mailbox: Mailbox) throws(RingIOError) {
        var notes: [String] = []
        let ring = try Self.makeRing(configuration, notes: &notes)
        var region = try BufferRegion(count: configuration.buffers.count, size: configuration.buffers.size)
        var registered = false
        if let ring {
            registered = try Self.registerPool(&region, on: ring, configuration, notes: &notes)
            let backend = try IOUringBackend(
                ring: ring, fixedBuffers: registered, registeredFiles: configuration.registeredFiles,
                supportsFtruncate: ring.supportsFtruncate && !configuration.forceTruncateFallback, mailbox: mailbox)
            self.backend = .ioUring(backend)
            self.capabilities = Capabilities(
                backend: .ioUring, setupFlags: ring.flags, fixedBuffers: registered,
                registeredFiles: backend.hasRegisteredFiles, bufferCount: region.count, bufferSize: region.size, notes: notes)
        } else {
            self.backend = .threadPool(try ThreadPoolBackend(threadCount: configuration.fallbackThreads, mailbox: mailbox))
            self.capabilities = Capabilities(
                backend: .threadPool, setupFlags: [], fixedBuffers: false, registeredFiles: false,
                bufferCount: region.count, bufferSize: region.size, notes: notes)
        }
        self.pool = BufferPool(region: region, registered: registered)
    }

    /// The ring, or nil when the thread-pool backend is to be used (requested, or io_uring is
    /// unavailable under `.fallback`).
    private static func makeRing(_ configuration: RingExecutorConfiguration, notes: inout [String]) throws(RingIOError) -> Ring? {
        let policy = configuration.policy
        guard policy != .threadPoolOnly else {
            notes.append("The thread-pool backend was requested (policy .threadPoolOnly)")
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

    /// Registers the pool's buffers with `ring`. Under `.fallback`, when RLIMIT_MEMLOCK is too
    /// small, fits the pool to it (halving until the kernel accepts, since other pinned memory
    /// counts too) or, if not even one buffer fits, leaves it unregistered.
    ///
    /// - Returns: whether the (possibly smaller) `region` is registered.
    private static func registerPool(
        _ region: inout BufferRegion, on ring: Ring, _ configuration: RingExecutorConfiguration, notes: inout [String]
    ) throws(RingIOError) -> Bool {
        do throws(RingIOError) {
            if configuration.forceUnregisteredBuffers {
                throw RingIOError(code: .lockedMemoryLimit, errno: .noMemory, operation: .registerBuffers, hint: "registration turned off for a test")
            }
            try BufferRegistration.register(region, on: ring)
            return true
        } catch where configuration.policy == .fallback && error.code == .lockedMemoryLimit {
            let limit = ringio_memlock_limit()
            var fitting = limit == UInt64.max || configuration.forceUnregisteredBuffers
                ? 0 : min(region.count - 1, Int(limit / UInt64(region.stride)))
            while fitting >= 1 {
                if let candidate = try? BufferRegion(count: fitting, size: region.size),
                   (try? BufferRegistration.register(candidate, on: ring)) != nil {
                    notes.append("RLIMIT_MEMLOCK (\(limit) bytes) holds \(candidate.count) of the \(region.count) buffers asked for, so the pool has \(candidate.count); raise `ulimit -l` for more: \(error.hint ?? "")")
                    region = candidate
                    return true
                }
                fitting /= 2
            }
            notes.append("RLIMIT_MEMLOCK (\(limit) bytes) is too small to register even one buffer, so leases use plain READ/WRITE instead of READ_FIXED/WRITE_FIXED: \(error.hint ?? "")")
            return false
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
