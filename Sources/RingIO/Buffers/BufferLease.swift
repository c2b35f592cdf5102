/// Exclusive use of one registered buffer, returned to its pool when the lease is destroyed.
///
/// `~Copyable`: a lease cannot be duplicated, so one buffer cannot be leased twice, and a lease
/// cannot be used after it has been consumed. Reads and writes may use any sub-range of it.
/// Not `Sendable`: it belongs to the task that holds it (move it elsewhere with `sending`/`consume`).
@safe  // Safety: `base` points into the pool's region, which outlives every lease; public accessors are bounds-checked against `capacity`.
public struct BufferLease: ~Copyable {
    @usableFromInline let pool: BufferPool
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let generation: UInt64
    @usableFromInline let storedIndex: Int
    @usableFromInline let storedCapacity: Int
    /// The buffer's index in the registration (`sqe->buf_index`).
    ///
    /// Through an optional lease, read `pending.index` (an `Int?`, see the extension on
    /// `Optional`): Swift 6.3 consumes the optional in `pending!.index`, because only a member
    /// with a setter (as `count`) makes `pending!` a borrowing access.
    @inlinable public var index: Int { storedIndex }
    /// The buffer's size in bytes (readable through an optional lease, as `index`).
    @inlinable public var capacity: Int { storedCapacity }
    /// Bytes still free after the valid ones: `capacity - count`, what `append(contentsOf:)` can take.
    @inlinable public var freeCapacity: Int { storedCapacity - count }
    /// How many bytes at the start of the buffer hold valid data (set by reads, or by you after writing into it).
    public var count: Int {
        didSet {
            precondition(count >= 0 && count <= capacity, "BufferLease.count must be in 0...capacity (\(capacity)), got \(count)")
        }
    }

    init(pool: BufferPool, grant: BufferPool.Grant) {
        self.pool = pool
        // Safety: the grant's base starts buffer grant.index of the pool's current region, which stays mapped while this lease exists.
        unsafe self.base = unsafe grant.base
        self.generation = grant.generation
        self.storedIndex = grant.index
        self.storedCapacity = grant.capacity
        self.count = 0
    }

    deinit {
        // Safety: the lease ends here, so the grant rebuilt from it is the buffer's only holder.
        unsafe pool.release(BufferPool.Grant(index: index, base: base, capacity: capacity, generation: generation))
    }

    /// Gives read access to the `count` valid bytes.
    ///
    /// - Parameter body: receives a `RawSpan` of the valid bytes; it must not escape.
    @inlinable
    public func withBytes<Result, Failure: Error>(_ body: (RawSpan) throws(Failure) -> Result) throws(Failure) -> Result {
        // Safety: base..base+count lies inside this lease's buffer, which no one else can touch while we borrow it.
        let span = unsafe RawSpan(_unsafeStart: UnsafeRawPointer(base), byteCount: count)
        return try body(span)
    }

    /// Gives write access to the whole buffer (`capacity` bytes); set `count` afterwards if you filled it.
    ///
    /// - Parameter body: receives a `MutableRawSpan` over the whole buffer; it must not escape.
    @inlinable
    public mutating func withMutableBytes<Result, Failure: Error>(
        _ body: (inout MutableRawSpan) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // Safety: the lease owns the buffer exclusively and `mutating` gives us exclusive access to the lease.
        var span = unsafe MutableRawSpan(_unsafeStart: base, byteCount: capacity)
        return try body(&span)
    }

    /// Gives raw read access to the `count` valid bytes.
    ///
    /// - Parameter body: receives the valid bytes; the pointer must not escape.
    @inlinable
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // Safety: count <= capacity, so the pointer covers valid bytes of this lease's own buffer; body must not let it escape (documented).
        unsafe try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Gives raw write access to the whole buffer (`capacity` bytes); set `count` afterwards.
    ///
    /// - Parameter body: receives the whole buffer; the pointer must not escape.
    @inlinable
    public mutating func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // Safety: capacity bytes of this lease's own buffer, no I/O in flight on it, exclusive via mutating; body must not let it escape.
        unsafe try body(UnsafeMutableRawBufferPointer(start: base, count: capacity))
    }

    /// Copies `bytes` into the start of the buffer and sets `count` to their length.
    ///
    /// - Precondition: `bytes` fits: `bytes.count <= capacity`, and iterating it yields no more
    ///   elements than that (a collection whose `count` is wrong traps instead of writing past the
    ///   buffer).
    public mutating func copy(from bytes: some Collection<UInt8>) {
        precondition(bytes.count <= capacity, "\(bytes.count) bytes do not fit a \(capacity)-byte lease")
        // Safety: target is this lease's own buffer (capacity bytes); a lease held here has no I/O in flight, and mutating makes access exclusive.
        let target = unsafe UnsafeMutableRawBufferPointer(start: base, count: capacity)
        // Safety: initializeMemory(as:from:) writes at most target.count bytes, whatever `bytes` yields.
        var (rest, copied) = unsafe target.initializeMemory(as: UInt8.self, from: bytes)
        precondition(rest.next() == nil, "the collection yielded more than its count of \(bytes.count) bytes, more than fit a \(capacity)-byte lease")
        count = copied.count
    }

    /// Appends `bytes` after the `count` valid bytes and advances `count` by their length: packs
    /// records into one buffer without counting by hand.
    ///
    /// - Precondition: they fit: `bytes.count <= freeCapacity` (check `freeCapacity` first, or
    ///   write the lease out and start again when it is full).
    public mutating func append(contentsOf bytes: some Collection<UInt8>) {
        precondition(bytes.count <= freeCapacity, "\(bytes.count) bytes do not fit the \(freeCapacity) bytes left of a \(capacity)-byte lease")
        // Safety: the free tail of this lease's own buffer (count..<capacity); a lease held here has no I/O in flight, and mutating makes access exclusive.
        let target = unsafe UnsafeMutableRawBufferPointer(start: base + count, count: freeCapacity)
        // Safety: initializeMemory(as:from:) writes at most target.count bytes, whatever `bytes` yields.
        var (rest, copied) = unsafe target.initializeMemory(as: UInt8.self, from: bytes)
        precondition(rest.next() == nil, "the collection yielded more than its count of \(bytes.count) bytes, more than the \(freeCapacity) left")
        count += copied.count
    }

    /// Appends the bytes of a value of trivial type (an integer, a packed record header) after the
    /// valid bytes, in memory order, and advances `count`.
    ///
    /// - Precondition: `MemoryLayout<T>.size <= freeCapacity`.
    public mutating func append<T: BitwiseCopyable>(bytesOf value: T) {
        let size = MemoryLayout<T>.size
        precondition(size <= freeCapacity, "\(size) bytes do not fit the \(freeCapacity) bytes left of a \(capacity)-byte lease")
        // Safety: count..<count+size lies inside this lease's buffer (checked above); storeBytes needs no alignment.
        unsafe (base + count).storeBytes(of: value, as: T.self)
        count += size
    }

    /// The `count` valid bytes, copied into an array.
    public var bytes: [UInt8] {
        // Safety: copies the count (<= capacity) valid bytes of this lease's buffer into the array before the pointer goes away.
        unsafe [UInt8](UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The address of `range` within the buffer, for building SQEs; checked against `capacity`.
    @inline(__always)
    func unsafeAddress(of range: Range<Int>) -> UnsafeMutableRawPointer? {
        guard range.lowerBound >= 0 && range.upperBound <= capacity else { return nil }
        // Safety: range was just checked to lie within 0...capacity, so the address is inside this lease's buffer.
        return unsafe base + range.lowerBound
    }
}

@available(*, unavailable)
extension BufferLease: Sendable {}

/// A lease's shape read through an optional without consuming it: `pending.capacity` where
/// `pending!.capacity` would consume `pending` (Swift 6.3 borrows `pending!` only for a member
/// with a setter, such as `count`).
extension Optional where Wrapped == BufferLease {
    /// The held lease's `capacity`, or nil when there is none.
    public var capacity: Int? {
        switch self {
        case .some(let lease): lease.capacity
        case .none: nil
        }
    }

    /// The held lease's `index`, or nil when there is none.
    public var index: Int? {
        switch self {
        case .some(let lease): lease.index
        case .none: nil
        }
    }

    /// The held lease's `count`, or nil when there is none.
    public var count: Int? {
        switch self {
        case .some(let lease): lease.count
        case .none: nil
        }
    }
}
