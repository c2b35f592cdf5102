internal import CRingIO
import Synchronization

/// The one registration of a group's pool, which every loop's ring clones
/// (IORING_REGISTER_CLONE_BUFFERS): a small ring of its own that holds the pinned buffers and
/// does no I/O.
///
/// Why not the first loop's ring: a loop's ring is SINGLE_ISSUER, and the kernel lets only that
/// ring's submitter thread clone from it (EEXIST from any other thread, seen on 6.18). This ring
/// is set up without it, so each loop clones on its own thread.
@safe  // Safety: the ring is touched only under the mutex (register, unregister, close); its descriptor is immutable.
final class PoolRegistration: Sendable {
    private let ring: Mutex<Ring>
    /// The ring's descriptor, which loops name to clone from.
    let descriptor: Int32

    /// Sets up the ring and registers `region` with it, fitting the pool to RLIMIT_MEMLOCK when
    /// `fitToTheLimit` (the `.fallback` policy) and the limit is too small.
    ///
    /// - Returns: the registration, or nil when the pool stays unregistered (not even one
    ///   buffer fits under `.fallback`); `region` may come back smaller.
    /// - Throws: `RingIOError` from ring setup or registration.
    static func make(
        _ region: inout BufferRegion, fitToTheLimit: Bool, forceUnregistered: Bool, notes: inout [String]
    ) throws(RingIOError) -> PoolRegistration? {
        let ring = try Ring(entries: 2, completionEntries: 2, preferred: [])
        guard try BufferRegistration.registerFitting(
            &region, on: ring, fitToTheLimit: fitToTheLimit, forceUnregistered: forceUnregistered, notes: &notes)
        else { return nil }
        return PoolRegistration(ring)
    }

    private init(_ ring: sending Ring) {
        self.descriptor = ring.descriptor
        self.ring = Mutex(ring)
    }

    /// Replaces the registration with `region` (`reregister`; loops re-clone afterwards).
    ///
    /// - Throws: `RingIOError` from registration; nothing is registered then.
    func replace(with region: BufferRegion) throws(RingIOError) {
        try ring.withLock { ring throws(RingIOError) in
            guard !ring.isClosed else { throw RingIOError.shutDown(.registerBuffers) }
            ring.unregisterBuffers()
            try BufferRegistration.register(region, on: ring)
        }
    }

    /// Unregisters the buffers and closes the ring, once (later calls do nothing: the descriptor
    /// number may belong to another file by then). Rings that cloned them keep their pages.
    func close() {
        ring.withLock { ring in
            guard !ring.isClosed else { return }
            ring.unregisterBuffers()
            ring.close()
        }
    }
}
