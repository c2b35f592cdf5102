internal import CRingIO
import DequeModule
import Synchronization

/// The executor's set of registered ("fixed") buffers, handed out as `BufferLease`s.
///
/// Leasing and returning are thread-safe and allocate nothing in steady state. When every buffer
/// is out, `lease()` waits in FIFO order and the first buffer returned goes to the longest waiter.
/// A buffer comes back only when its lease is destroyed, and a lease lives at least as long as any
/// kernel operation on it, so a buffer the kernel may still write to is never handed out twice.
public final class BufferPool: Sendable {
    /// The shape of a pool: how many buffers and how large each is.
    public struct Configuration: Sendable, Hashable {
        /// Number of buffers (1...16384).
        public var count: Int
        /// Bytes per buffer (1 byte ... 1 GiB). Each buffer starts on a page boundary (what
        /// O_DIRECT needs), whatever the size: a size that is not a multiple of the page size
        /// (4096 here) is kept as asked (`capacity` is `size`), and the rest of its last page is
        /// left unused, so the pool maps and pins `count × size rounded up to a page`.
        public var size: Int

        /// Creates a pool shape.
        public init(count: Int, size: Int) {
            self.count = count
            self.size = size
        }
    }

    /// Where a granted buffer lives; what a waiter is resumed with.
    // Safety: a grant is handed to exactly one new lease, which then owns the buffer it points at.
    @safe  // Safety: `base` points into a region the pool keeps mapped while any grant or lease of its generation exists.
    struct Grant: @unchecked Sendable {
        let index: Int
        let base: UnsafeMutableRawPointer
        let capacity: Int
        let generation: UInt64
    }

    @safe  // Safety: each waiter's continuation is removed from the queue before it is resumed, so it is resumed once.
    struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Grant, any Error>
    }

    @safe  // Safety: the region and continuations are touched only under the pool's lock; each continuation is resumed once after removal.
    struct State {
        var region: BufferRegion
        var generation: UInt64 = 0
        var free: [Int]
        var waiters = Deque<Waiter>()
        var outstanding = 0
        var nextWaiterID: UInt64 = 0
        var isDraining = false
        var drainContinuation: UnsafeContinuation<Void, Never>?
        var isClosed = false
        var leaseWaits = LeaseWaits()
        weak var host: (any BufferPoolHost)?

        init(region: BufferRegion) {
            self.region = region
            self.free = Array((0..<region.count).reversed())
        }

        mutating func grant(_ index: Int) -> Grant {
            // Safety: index comes from the free list (0..<region.count of the current region), so region.pointer(index) lies inside it.
            unsafe Grant(index: index, base: region.pointer(index), capacity: region.size, generation: generation)
        }
    }

    let state: Mutex<State>

    /// Whether the buffers are registered with the kernel: reads and writes on leases then use
    /// READ_FIXED/WRITE_FIXED, else plain READ/WRITE (a fallback when memlock or io_uring says no).
    public let isRegistered: Bool

    /// A group's pool: one cache per loop, indexed like the loops (empty for a lone executor's).
    let caches: [LoopLeaseCache]
    /// The group whose loop threads use `caches` (0: none).
    let cacheGroup: UInt64
    /// Set while the caches must not be used: the pool is closed or re-registering, or callers
    /// wait for a buffer (FIFO order: a returned buffer goes to the longest waiter). Written
    /// under the lock.
    private let cachesBlocked = Atomic<Bool>(false)

    /// Creates a pool over `region`.
    ///
    /// - Parameters:
    ///   - region: the buffers.
    ///   - registered: whether they are registered with the kernel.
    ///   - loopCaches: for a group's pool, the group's id and its number of loops: each loop then
    ///     keeps a few free buffers of its own (see `LoopLeaseCache`).
    init(region: BufferRegion, registered: Bool, loopCaches: (group: UInt64, loops: Int)? = nil) {
        self.state = Mutex(State(region: region))
        self.isRegistered = registered
        if let loopCaches, loopCaches.loops > 1 {
            // A quarter of the pool at most in the caches together, so leases rarely wait for a flush.
            let capacity = max(1, min(32, region.count / (4 * loopCaches.loops)))
            self.caches = (0..<loopCaches.loops).map { _ in LoopLeaseCache(capacity: capacity) }
            self.cacheGroup = loopCaches.group
        } else {
            self.caches = []
            self.cacheGroup = 0
        }
    }

    /// The calling thread's cache, when it is a loop of this pool's group and the caches may be used.
    @inline(__always)
    private var usableCache: LoopLeaseCache? {
        guard !caches.isEmpty else { return nil }
        let identity = ringio_current_loop()
        guard identity.group == cacheGroup, !cachesBlocked.load(ordering: .acquiring) else { return nil }
        return caches[Int(identity.index)]
    }

    /// Publishes whether the caches may be used; call under the lock after changing `state`.
    @inline(__always)
    func publishCacheUse(_ state: inout State) {
        cachesBlocked.store(state.isClosed || state.isDraining || !state.waiters.isEmpty, ordering: .sequentiallyConsistent)
    }

    /// Buffers in the loops' caches now (any thread).
    private var cachedCount: Int {
        caches.reduce(0) { $0 + $1.count.load(ordering: .sequentiallyConsistent) }
    }

    /// Gives the calling loop's cached buffers back to the pool (its loop thread; the host asks
    /// for it through the loop's mailbox).
    func flushCache(ofLoop index: Int) {
        guard caches.indices.contains(index) else { return }
        caches[index].flush { grant in release(index: grant.index, generation: grant.generation) }
    }

    /// Bytes per buffer.
    public var bufferSize: Int { state.withLock { $0.region.size } }
    /// Number of buffers in the pool.
    public var count: Int { state.withLock { $0.region.count } }
    /// Buffers not leased right now (including those a group's loops keep for their next leases).
    public var available: Int { state.withLock { $0.free.count } + cachedCount }

    /// Callers waiting in `lease()` right now.
    public var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Whether a `reregister(count:size:)` is waiting for leases to come back or swapping buffers.
    public var isReregistering: Bool { state.withLock { $0.isDraining } }

    /// Leases a buffer, waiting in FIFO order while all are out.
    ///
    /// - Returns: a lease whose `count` is 0 and whose bytes are whatever the buffer last held.
    /// - Throws: `CancellationError` if the task is cancelled while waiting (no buffer is lost);
    ///   `RingIOError` `.shutDown` once the executor has shut down.
    public func lease() async throws -> BufferLease {
        // Safety: the cache hands each grant it holds out once.
        if let cache = usableCache, let grant = cache.pop() { return BufferLease(pool: self, grant: grant) }
        enum Immediate { case granted(Grant), closed, wait(UInt64) }
        let immediate: Immediate = state.withLock { state in
            if state.isClosed { return .closed }
            if !state.isDraining && state.waiters.isEmpty, let index = state.free.popLast() {
                state.outstanding += 1
                return .granted(state.grant(index))
            }
            state.nextWaiterID &+= 1
            return .wait(state.nextWaiterID)
        }
        switch immediate {
        case .granted(let grant):
            return BufferLease(pool: self, grant: grant)
        case .closed:
            throw RingIOError.shutDown(.lease)
        case .wait(let id):
            let waitStarted = ringio_monotonic_nanoseconds()
            defer {
                let waited = ringio_monotonic_nanoseconds() &- waitStarted
                state.withLock { $0.leaseWaits.record(nanoseconds: waited) }
            }
            let grant = try await withTaskCancellationHandler {
                // Safety: resumed exactly once: right here (grant or refusal), or later by whoever removes it from waiters under the lock.
                unsafe try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Grant, any Error>) in
                    let refusal: (any Error)? = state.withLock { state in
                        if state.isClosed { return RingIOError.shutDown(.lease) }
                        // The cancellation flag is set before onCancel runs, so checking it under the
                        // lock closes the window where onCancel ran before this waiter was queued.
                        if Task.isCancelled { return CancellationError() }
                        if !state.isDraining && state.waiters.isEmpty, let index = state.free.popLast() {
                            state.outstanding += 1
                            // Safety: granted here instead of queued, so this is its only resume.
                            unsafe continuation.resume(returning: state.grant(index))
                            return nil
                        }
                        // Safety: queued, not resumed; whoever removes it from waiters (release, endDrain, close, onCancel) resumes it once.
                        unsafe state.waiters.append(Waiter(id: id, continuation: continuation))
                        publishCacheUse(&state)
                        return nil
                    }
                    // Safety: refusal is set only on the paths that neither resumed nor queued the continuation.
                    if let refusal { unsafe continuation.resume(throwing: refusal) }
                    // Buffers the loops keep would not come back by themselves: ask for them.
                    else if cachedCount > 0 { flushCaches() }
                }
            } onCancel: {
                let waiter: Waiter? = state.withLock { state in
                    guard let position = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    defer { publishCacheUse(&state) }
                    return state.waiters.remove(at: position)
                }
                // Safety: only a waiter this closure removed from the queue under the lock is resumed, so no other path resumes it.
                unsafe waiter?.continuation.resume(throwing: CancellationError())
            }
            return BufferLease(pool: self, grant: grant)
        }
    }

    /// Copies the lease-wait counts into `buckets` (as many as `LatencyBuckets.count`, storage the
    /// caller made) and returns the total nanoseconds waited; allocates nothing.
    func copyLeaseWaits(into buckets: inout [Int]) -> Int {
        state.withLock { state in
            for index in buckets.indices { buckets[index] = state.leaseWaits.buckets[index] }
            return state.leaseWaits.nanoseconds
        }
    }

    /// Leases a buffer if one is free right now.
    ///
    /// - Returns: a lease, or nil when all buffers are out, others are waiting, the pool is being
    ///   re-registered, or the executor has shut down.
    public func tryLease() -> BufferLease? {
        // Safety: the cache hands each grant it holds out once.
        if let cache = usableCache, let grant = cache.pop() { return BufferLease(pool: self, grant: grant) }
        let grant: Grant? = state.withLock { state in
            guard !state.isClosed, !state.isDraining, state.waiters.isEmpty,
                  let index = state.free.popLast()
            else { return nil }
            state.outstanding += 1
            return state.grant(index)
        }
        return grant.map { BufferLease(pool: self, grant: $0) }
    }

    /// Takes a buffer back from a lease being destroyed: into the calling loop's cache when it has
    /// room and no one waits, else as `release(index:generation:)`.
    @inline(__always)
    func release(_ grant: Grant) {
        // Safety: the grant comes from the lease being destroyed, so no one else holds the buffer.
        if let cache = usableCache, cache.push(grant) {
            // A caller may have started waiting (or a reregister begun) between the check above and
            // the push: it saw no cached buffer, so it asked no one to flush. Look again and flush
            // ourselves. (Both sides store, then load, sequentially consistent: one of them sees the other.)
            if cachesBlocked.load(ordering: .sequentiallyConsistent) {
                cache.flush { release(index: $0.index, generation: $0.generation) }
            }
            return
        }
        release(index: grant.index, generation: grant.generation)
    }

    /// Asks every loop of the group to give its cached buffers back (through the host).
    private func flushCaches() {
        state.withLock { $0.host }?.flushLeaseCaches()
    }

    /// Takes a buffer back; hands it to the longest waiter if any.
    func release(index: Int, generation: UInt64) {
        @safe  // Safety: carries a continuation taken from the state under its lock, resumed exactly once outside it.
        enum Next { case none, waiter(UnsafeContinuation<Grant, any Error>, Grant), drained(UnsafeContinuation<Void, Never>) }
        let next: Next = state.withLock { state in
            precondition(generation == state.generation, "a lease outlived its pool's registration")
            if !state.isDraining && !state.isClosed, let waiter = state.waiters.popFirst() {
                publishCacheUse(&state)
                return unsafe .waiter(waiter.continuation, state.grant(index))
            }
            state.free.append(index)
            state.outstanding -= 1
            // Safety: the drain continuation is taken and cleared under the lock, so only the resume below sees it.
            if state.isDraining && state.outstanding == 0, let drained = unsafe state.drainContinuation {
                unsafe state.drainContinuation = nil
                return unsafe .drained(drained)
            }
            return .none
        }
        switch next {
        case .none: break
        // Safety: each continuation was removed from the state under the lock above and is resumed exactly once here.
        case .waiter(let continuation, let grant): unsafe continuation.resume(returning: grant)
        case .drained(let continuation): unsafe continuation.resume()
        }
    }

    /// Refuses new leases and fails every waiter with `.shutDown` (executor shutdown).
    func close() {
        // Safety: the waiters and the drain continuation are taken and cleared under the lock, so only this call resumes them.
        let (waiters, drain): (Deque<Waiter>, UnsafeContinuation<Void, Never>?) = unsafe state.withLock { state in
            state.isClosed = true
            defer {
                state.waiters.removeAll()
                unsafe state.drainContinuation = nil
                publishCacheUse(&state)
            }
            // Safety: copies them out before the defer clears the state; nothing else can resume them any more.
            return unsafe (state.waiters, state.drainContinuation)
        }
        for waiter in waiters {
            // Safety: removed from the queue above, so this is its one resume.
            unsafe waiter.continuation.resume(throwing: RingIOError.shutDown(.lease))
        }
        // Safety: cleared from the state above, so this is its one resume.
        unsafe drain?.resume()  // a pending reregister then sees the pool closed and throws
    }

    /// The current registration's region; for the executor's loop.
    var region: BufferRegion { state.withLock { $0.region } }
}

/// What a pool asks of its executor to swap its buffers (implemented by the executor layer).
protocol BufferPoolHost: AnyObject, Sendable {
    /// Unregisters the pool's buffers and registers `replacement` on the ring thread.
    func replaceRegistration(of pool: BufferPool, with configuration: BufferPool.Configuration) async throws
    /// Asks every loop to give the buffers its lease cache keeps back to the pool (a group's).
    func flushLeaseCaches()
}

extension BufferPoolHost {
    /// A lone executor's pool has no loop caches.
    func flushLeaseCaches() {}
}
