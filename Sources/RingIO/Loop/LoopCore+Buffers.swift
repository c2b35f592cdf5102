extension LoopCore {
    /// Swaps the pool's registration for `configuration` (loop thread; no lease outstanding).
    ///
    /// Maps the new buffers first; if registering them fails, the old set is registered again.
    ///
    /// - Throws: `RingIOError` from mapping or registration.
    func replaceRegistration(of pool: BufferPool, with configuration: BufferPool.Configuration) throws(RingIOError) {
        assert(isLoopThread)
        guard lifecycle == .running else { throw RingIOError.shutDown(.registerBuffers) }
        let replacement = try BufferRegion(count: configuration.count, size: configuration.size)
        let old = pool.region
        do {
            try swapRegistration(to: replacement, cloningFrom: nil)
        } catch {
            do {
                try swapRegistration(to: old, cloningFrom: nil)
            } catch {
                // Nothing is registered now; fixed I/O on the old buffers would fail, so refuse leases.
                pool.close()
            }
            throw error
        }
        pool.endDrain(with: replacement)
    }

    /// Replaces what this ring has registered with `region` (loop thread; no lease outstanding):
    /// nothing to do when this loop's ring has no fixed buffers (thread pool, memlock fallback).
    ///
    /// - Parameter source: for a group's later loops that cloned the old set, the ring to clone
    ///   the new one from (IORING_REGISTER_CLONE_BUFFERS); nil to register `region` directly.
    /// - Throws: `RingIOError` from registration; nothing is registered with this ring then.
    func swapRegistration(to region: BufferRegion, cloningFrom source: Int32?) throws(RingIOError) {
        assert(isLoopThread)
        guard lifecycle == .running else { throw RingIOError.shutDown(.registerBuffers) }
        guard capabilities.fixedBuffers, case .ioUring(let backend) = backend else { return }
        let ring = backend.ring
        ring.unregisterBuffers()
        if let source, capabilities.bufferSharing == .cloned {
            let result = ring.cloneBuffers(from: source)
            if result < 0 { throw BufferRegistration.explain(result, region: region) }
        } else {
            try BufferRegistration.register(region, on: ring)
        }
    }

    /// This ring's descriptor when the pool is registered with it (what a group's other loops
    /// clone from); nil otherwise.
    var registeredRingDescriptor: Int32? {
        guard capabilities.fixedBuffers, case .ioUring(let backend) = backend else { return nil }
        return backend.ring.descriptor
    }
}
