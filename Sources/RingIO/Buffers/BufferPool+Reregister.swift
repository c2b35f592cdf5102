extension BufferPool {
    /// Replaces every buffer with `count` new buffers of `size` bytes (IORING_UNREGISTER_BUFFERS, then REGISTER).
    ///
    /// New leases wait while this runs. It first waits until every outstanding lease has come back,
    /// so no task and no kernel operation can still hold an old buffer; it is not cancellable.
    /// Do not hold a lease while awaiting it (and do not make it wait on a task that is itself
    /// waiting in `lease()`): it would wait forever. If the new set cannot be registered, the old
    /// set stays registered and the error is thrown.
    ///
    /// - Parameters:
    ///   - count: number of new buffers (1...16384).
    ///   - size: bytes per new buffer (1 byte ... 1 GiB).
    /// - Throws: `RingIOError` (`.bufferTooLarge`, `.invalidArgument`, `.lockedMemoryLimit`, `.shutDown`, …).
    public func reregister(count: Int, size: Int) async throws {
        try BufferRegion.validate(count: count, size: size)
        let host: (any BufferPoolHost)? = try state.withLock { state in
            if state.isClosed { throw RingIOError.shutDown(.registerBuffers) }
            if state.isDraining {
                throw RingIOError.invalidArgument(.registerBuffers, "Another reregister of this pool is in progress; wait for it to finish")
            }
            state.isDraining = true
            publishCacheUse(&state)
            return state.host
        }
        guard let host else {
            endDrain(with: nil)
            throw RingIOError.shutDown(.registerBuffers)
        }
        // The buffers the loops keep count as leased: have them back before waiting for that.
        host.flushLeaseCaches()
        // Safety: resumed once: below if no lease is out, else stored as drainContinuation and resumed by whoever takes it (release, close).
        unsafe await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done: Bool = state.withLock { state in
                if state.outstanding == 0 { return true }
                unsafe state.drainContinuation = unsafe continuation
                return false
            }
            // Safety: done means it was not stored, so this is its only resume.
            if done { unsafe continuation.resume() }
        }
        if state.withLock({ $0.isClosed }) {
            throw RingIOError.shutDown(.registerBuffers)
        }
        do {
            try await host.replaceRegistration(of: self, with: Configuration(count: count, size: size))
        } catch {
            endDrain(with: nil)
            throw error
        }
    }

    /// Ends a drain, installing `region` (a new registration) if given, and serves queued leases.
    func endDrain(with region: BufferRegion?) {
        let (refused, served): ([Waiter], [Served]) = state.withLock { state in
            var refused: [Waiter] = []
            if let region {
                state.region = region
                state.generation &+= 1
                state.free = Array((0..<region.count).reversed())
                // A batch larger than the new pool would wait forever.
                if state.waiters.contains(where: { $0.wanted > region.count }) {
                    refused = state.waiters.filter { $0.wanted > region.count }
                    state.waiters.removeAll { $0.wanted > region.count }
                }
            }
            state.isDraining = false
            var served: [Served] = []
            while let next = state.serveHead() { served.append(next) }
            publishCacheUse(&state)
            return (refused, served)
        }
        let size = region?.count ?? 0
        for waiter in refused {
            // Safety: removed from the queue under the lock above, so this is its one resume.
            waiter.resumption.fail(RingIOError.invalidArgument(
                .lease, "A batch of \(waiter.wanted) leases can never be granted: the pool now has \(size) buffers"))
        }
        // Safety: each waiter was removed from the queue under the lock above by serveHead; resumed once here.
        for next in served { next.resume() }
    }

    /// Connects the pool to the executor that registers its buffers.
    func attach(host: any BufferPoolHost) {
        state.withLock { $0.host = host }
    }
}
