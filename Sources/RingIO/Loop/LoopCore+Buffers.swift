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
        guard pool.isRegistered, case .ioUring(let backend) = backend else {
            // Unregistered buffers (thread pool, or memlock fallback): nothing to tell the kernel.
            pool.endDrain(with: replacement)
            return
        }
        let ring = backend.ring
        let old = pool.region
        ring.unregisterBuffers()
        do {
            try BufferRegistration.register(replacement, on: ring)
        } catch {
            do {
                try BufferRegistration.register(old, on: ring)
            } catch {
                // Nothing is registered now; fixed I/O on the old buffers would fail, so refuse leases.
                pool.close()
            }
            throw error
        }
        pool.endDrain(with: replacement)
    }
}
