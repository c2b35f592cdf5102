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
        /// Buffers it waits for: 1 for `lease()`, the batch's size for `lease(count:)`.
        let wanted: Int
        let resumption: Resumption
    }

    /// How a waiter is resumed: with one grant, or with all the grants of its batch.
    @safe  // Safety: holds a continuation taken out of the queue (or never queued); `resume`/`fail` are its one resume.
    enum Resumption {
        case one(UnsafeContinuation<Grant, any Error>)
        case batch(UnsafeContinuation<[Grant], any Error>)

        /// Resumes with `error` (shutdown, cancellation, a batch the pool can no longer hold).
        func fail(_ error: any Error) {
            switch self {
            // Safety: the caller removed this waiter from the queue (or never queued it), so this is its one resume.
            case .one(let continuation): unsafe continuation.resume(throwing: error)
            // Safety: as above.
            case .batch(let continuation): unsafe continuation.resume(throwing: error)
            }
        }
    }

    /// A waiter granted its buffers under the lock, to resume outside it.
    @safe  // Safety: made only by `State.serveHead()`, which removed the waiter from the queue; `resume()` is its one resume.
    enum Served {
        case one(UnsafeContinuation<Grant, any Error>, Grant)
        case batch(UnsafeContinuation<[Grant], any Error>, [Grant])

        func resume() {
            switch self {
            // Safety: removed from the queue under the lock by serveHead, so this is its one resume.
            case .one(let continuation, let grant): unsafe continuation.resume(returning: grant)
            // Safety: as above.
            case .batch(let continuation, let grants): unsafe continuation.resume(returning: grants)
            }
        }
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

        /// A buffer for a new `lease()`, if one is free and no one waits before it.
        mutating func grantNow() -> Grant? {
            guard !isDraining && waiters.isEmpty, let index = free.popLast() else { return nil }
            outstanding += 1
            return grant(index)
        }

        /// `wanted` buffers for a new `lease(count:)`, if that many are free and no one waits
        /// before it (all or nothing).
        mutating func grantNow(_ wanted: Int) -> [Grant]? {
            guard !isDraining && waiters.isEmpty && free.count >= wanted else { return nil }
            return take(wanted)
        }

        /// Pops `wanted` free buffers as grants (at least that many are free).
        private mutating func take(_ wanted: Int) -> [Grant] {
            var grants: [Grant] = []
            grants.reserveCapacity(wanted)
            for _ in 0..<wanted { grants.append(grant(free.removeLast())) }
            outstanding += wanted
            return grants
        }

        /// Removes the longest waiter and grants it its buffers, if the free ones cover all it
        /// wants (FIFO and all or nothing: a batch at the head holds back the waiters behind it).
        mutating func serveHead() -> Served? {
            guard !isDraining && !isClosed, let head = waiters.first, free.count >= head.wanted else { return nil }
            waiters.removeFirst()
            switch head.resumption {
            case .one(let continuation):
                outstanding += 1
                // Safety: removed from the queue just above; the Served value is its one resume.
                return unsafe .one(continuation, grant(free.removeLast()))
            case .batch(let continuation):
                // Safety: as above.
                return unsafe .batch(continuation, take(head.wanted))
            }
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
            if let grant = state.grantNow() { return .granted(grant) }
            state.nextWaiterID &+= 1
            return .wait(state.nextWaiterID)
        }
        switch immediate {
        case .granted(let grant):
            return BufferLease(pool: self, grant: grant)
        case .closed:
            throw RingIOError.shutDown(.lease)
        case .wait(let id):
            // Safety: the continuation goes into the queue wrapped as `.one`, resumed once by whoever removes it.
            let grant = unsafe try await wait(id: id, wanted: 1, { unsafe .one($0) }, grantNow: { $0.grantNow() })
            return BufferLease(pool: self, grant: grant)
        }
    }

    /// Leases `count` buffers together, all at once or not at all, waiting in FIFO order (behind
    /// every earlier waiter, and ahead of every later one) until that many are free.
    ///
    /// For vectored reads and writes over several buffers (`File.read(into:at:)` and
    /// `File.write(from:at:)` with a `LeaseBatch`), or to hold several buffers in one value.
    /// Waiting for all of them at once, not one by one, means two tasks that each need several
    /// buffers cannot each hold part of what the other waits for.
    ///
    /// - Parameter count: how many buffers (1 ... the pool's `count`).
    /// - Returns: a batch of `count` leases of distinct buffers, each with `count` 0.
    /// - Throws: `RingIOError` `.invalidArgument` for a count under 1 or over the pool's size (or
    ///   over the new size, when a `reregister(count:size:)` shrinks the pool while this waits);
    ///   `CancellationError` if the task is cancelled while waiting (no buffer is lost);
    ///   `.shutDown` once the executor has shut down.
    public func lease(count: Int) async throws -> LeaseBatch {
        guard count >= 1 else {
            throw RingIOError.invalidArgument(.lease, "A batch holds 1 or more leases (got \(count))")
        }
        enum Immediate { case granted([Grant]), closed, tooMany(Int), wait(UInt64) }
        let immediate: Immediate = state.withLock { state in
            if state.isClosed { return .closed }
            if count > state.region.count { return .tooMany(state.region.count) }
            if let grants = state.grantNow(count) { return .granted(grants) }
            state.nextWaiterID &+= 1
            return .wait(state.nextWaiterID)
        }
        switch immediate {
        case .granted(let grants):
            return LeaseBatch(pool: self, grants: grants)
        case .closed:
            throw RingIOError.shutDown(.lease)
        case .tooMany(let size):
            throw RingIOError.invalidArgument(.lease, "A batch of \(count) leases can never be granted: the pool has \(size) buffers")
        case .wait(let id):
            // Safety: the continuation goes into the queue wrapped as `.batch`, resumed once by whoever removes it.
            let grants = unsafe try await wait(id: id, wanted: count, { unsafe .batch($0) }, grantNow: { $0.grantNow(count) })
            return LeaseBatch(pool: self, grants: grants)
        }
    }

    /// Waits in the queue as waiter `id` for `wanted` buffers, recording the time waited.
    ///
    /// - Parameters:
    ///   - resumption: wraps the continuation for the queue.
    ///   - grantNow: grants at once under the lock, if the buffers are free and no one waits.
    private func wait<Granted>(
        id: UInt64, wanted: Int,
        _ resumption: (UnsafeContinuation<Granted, any Error>) -> Resumption,
        grantNow: (inout State) -> Granted?
    ) async throws -> Granted {
        let waitStarted = ringio_monotonic_nanoseconds()
        defer {
            let waited = ringio_monotonic_nanoseconds() &- waitStarted
            state.withLock { $0.leaseWaits.record(nanoseconds: waited) }
        }
        return try await withTaskCancellationHandler {
            // Safety: resumed exactly once: right here (grant or refusal), or later by whoever removes it from waiters under the lock.
            unsafe try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Granted, any Error>) in
                let refusal: (any Error)? = state.withLock { state in
                    if state.isClosed { return RingIOError.shutDown(.lease) }
                    // The cancellation flag is set before onCancel runs, so checking it under the
                    // lock closes the window where onCancel ran before this waiter was queued.
                    if Task.isCancelled { return CancellationError() }
                    if let granted = grantNow(&state) {
                        // Safety: granted here instead of queued, so this is its only resume.
                        unsafe continuation.resume(returning: granted)
                        return nil
                    }
                    // Safety: queued, not resumed; whoever removes it from waiters (release, endDrain, close, onCancel) resumes it once.
                    unsafe state.waiters.append(Waiter(id: id, wanted: wanted, resumption: resumption(continuation)))
                    publishCacheUse(&state)
                    return nil
                }
                // Safety: refusal is set only on the paths that neither resumed nor queued the continuation.
                if let refusal { unsafe continuation.resume(throwing: refusal) }
                // Buffers the loops keep would not come back by themselves: ask for them.
                else if cachedCount > 0 { flushCaches() }
            }
        } onCancel: {
            cancelWaiter(id: id)
        }
    }

    /// Fails waiter `id` with `CancellationError` if it still waits; then serves the waiters its
    /// place held back (a batch at the head keeps free buffers from the ones behind it).
    private func cancelWaiter(id: UInt64) {
        let (cancelled, served): (Waiter?, [Served]) = state.withLock { state in
            guard let position = state.waiters.firstIndex(where: { $0.id == id }) else { return (nil, []) }
            defer { publishCacheUse(&state) }
            let removed = state.waiters.remove(at: position)
            var served: [Served] = []
            while let next = state.serveHead() { served.append(next) }
            return (removed, served)
        }
        // Safety: only a waiter this closure removed from the queue under the lock is resumed, so no other path resumes it.
        cancelled?.resumption.fail(CancellationError())
        for next in served { next.resume() }
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
            state.isClosed ? nil : state.grantNow()
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
        enum Next { case none, served(Served), drained(UnsafeContinuation<Void, Never>) }
        let next: Next = state.withLock { state in
            precondition(generation == state.generation, "a lease outlived its pool's registration")
            // free has room: it never holds more than region.count indices, and its storage was made that large.
            state.free.append(index)
            state.outstanding -= 1
            if let served = state.serveHead() {
                publishCacheUse(&state)
                return .served(served)
            }
            // Safety: the drain continuation is taken and cleared under the lock, so only the resume below sees it.
            if state.isDraining && state.outstanding == 0, let drained = unsafe state.drainContinuation {
                unsafe state.drainContinuation = nil
                return unsafe .drained(drained)
            }
            return .none
        }
        switch next {
        case .none: break
        // Safety: the waiter was removed from the state under the lock above by serveHead; resumed once here.
        case .served(let served): served.resume()
        // Safety: taken and cleared under the lock above, so resumed once here.
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
            waiter.resumption.fail(RingIOError.shutDown(.lease))
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
