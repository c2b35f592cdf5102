import Synchronization

/// Free buffers one loop of a group keeps for itself, so that its leases and returns take no lock.
///
/// Loop-confined: only its loop's thread pops, pushes and flushes (the pool checks the thread's
/// loop identity first). The buffers in it count as leased for the pool (`outstanding`), so a
/// `reregister` waits for them, and the pool asks every loop to flush its cache back (through its
/// host) whenever a lease has to wait or a reregister starts. `count` is published for
/// `BufferPool.available` (any thread).
@safe  // Safety: `slots` is touched only by the cache's loop thread; `count` is an atomic.
final class LoopLeaseCache: @unchecked Sendable {
    /// A stack of `capacity` grants, the first `count` initialized. Raw storage (not an Array) so
    /// that a pop or push is two loads and a store: no uniqueness or exclusivity checks.
    private let slots: UnsafeMutablePointer<BufferPool.Grant>
    /// Most buffers kept.
    let capacity: Int
    /// How many buffers are in it: the stack's height, written by its loop only, read by any thread.
    let count = Atomic<Int>(0)

    /// Creates an empty cache holding up to `capacity` buffers (storage allocated now: none on
    /// the lease path).
    init(capacity: Int) {
        self.capacity = capacity
        // Safety: raw storage owned by the cache, freed in deinit.
        unsafe self.slots = UnsafeMutablePointer.allocate(capacity: max(1, capacity))
    }

    deinit {
        // Safety: grants are plain values; nothing else can reach the storage once the cache is gone.
        unsafe slots.deinitialize(count: count.load(ordering: .relaxed))
        unsafe slots.deallocate()
    }

    /// A free buffer, if the cache has one (loop thread).
    @inline(__always)
    func pop() -> BufferPool.Grant? {
        let height = count.load(ordering: .relaxed)
        guard height > 0 else { return nil }
        // Safety: loop-confined (see the type); slot height-1 is initialized, and once moved out and
        // the height lowered the grant is handed to exactly one lease.
        let grant = unsafe (slots + (height - 1)).move()
        count.store(height - 1, ordering: .relaxed)
        return grant
    }

    /// Keeps `grant` if there is room (loop thread); false when full.
    @inline(__always)
    func push(_ grant: BufferPool.Grant) -> Bool {
        let height = count.load(ordering: .relaxed)
        guard height < capacity else { return false }
        // Safety: loop-confined; slot `height` is uninitialized and within capacity; the grant comes
        // from a lease being destroyed, so no one else holds it.
        unsafe (slots + height).initialize(to: grant)
        // Sequentially consistent: pairs with `BufferPool` publishing that the caches are blocked.
        count.store(height + 1, ordering: .sequentiallyConsistent)
        return true
    }

    /// Empties the cache, handing each buffer to `release` (loop thread).
    func flush(_ release: (BufferPool.Grant) -> Void) {
        while let grant = pop() { release(grant) }
    }
}
