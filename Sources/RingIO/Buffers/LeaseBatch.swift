internal import CRingIO

/// Several leased buffers held as one value: what `BufferPool.lease(count:)` grants, all at once
/// or not at all, and what vectored reads and writes (`File.read(into:at:)` with a batch,
/// `File.write(from:at:)`) fill and send in order.
///
/// `~Copyable`, like a single lease: a batch cannot be duplicated, and the buffers it holds go
/// back to the pool when it is destroyed (or one by one, as `removeLast()` hands them out). Reach
/// one lease in place with `batch[i]` (e.g. `batch[0].append(contentsOf:)`, or
/// `file.read(into: &batch[1], at:)`). Not `Sendable`: it belongs to the task that holds it.
@safe  // Safety: `leases` holds `count` initialized leases and `iovecs` room for `capacity` entries, both allocated in init and freed in deinit; every index is checked against `count`.
public struct LeaseBatch: ~Copyable {
    /// The leases, initialized at 0..<count.
    private let leases: UnsafeMutablePointer<BufferLease>
    /// Scratch for the iovec array of a vectored request on this batch (one entry per lease).
    private let iovecs: UnsafeMutablePointer<iovec>
    /// How many leases the batch was granted with.
    private let grantedCount: Int
    /// How many leases the batch holds now (`removeLast()` hands them out from the end).
    public private(set) var count: Int

    /// Takes ownership of `grants` (distinct buffers of `pool`, granted together).
    init(pool: BufferPool, grants: [BufferPool.Grant]) {
        // Safety: room for grants.count leases, initialized one by one below and deinitialized in deinit.
        unsafe leases = UnsafeMutablePointer<BufferLease>.allocate(capacity: grants.count)
        // Safety: trivial entries, written before each request that reads them; freed in deinit.
        unsafe iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: grants.count)
        for (index, grant) in grants.enumerated() {
            // Safety: index < grants.count, an uninitialized slot; each grant goes to exactly one lease.
            unsafe (leases + index).initialize(to: BufferLease(pool: pool, grant: grant))
        }
        grantedCount = grants.count
        count = grants.count
    }

    deinit {
        // Safety: 0..<count are initialized; deinitializing them returns their buffers to the pool.
        unsafe leases.deinitialize(count: count)
        unsafe leases.deallocate()
        unsafe iovecs.deallocate()
    }

    /// The valid positions, `0..<count`.
    public var indices: Range<Int> { 0..<count }

    /// Whether the batch holds no lease (all were handed out by `removeLast()`).
    public var isEmpty: Bool { count == 0 }

    /// The lease at `position`, in place: read it, or change it through `batch[position]`.
    ///
    /// - Precondition: `position` is in `indices`.
    public subscript(position: Int) -> BufferLease {
        _read {
            precondition(indices.contains(position), "LeaseBatch index \(position) is out of range 0..<\(count)")
            // Safety: position < count, an initialized lease; borrowed only for the yield.
            yield unsafe leases[position]
        }
        _modify {
            precondition(indices.contains(position), "LeaseBatch index \(position) is out of range 0..<\(count)")
            // Safety: position < count, an initialized lease; `_modify` gives exclusive access for the yield.
            yield unsafe &leases[position]
        }
    }

    /// Valid bytes over all the leases: the sum of their `count`s (what a vectored write sends).
    public var byteCount: Int {
        var total = 0
        for position in indices { total += self[position].count }
        return total
    }

    /// Room over all the leases: the sum of their `capacity`s (what a vectored read can fill).
    public var byteCapacity: Int {
        var total = 0
        for position in indices { total += self[position].capacity }
        return total
    }

    /// Hands the last lease out of the batch, to use or to move elsewhere on its own.
    ///
    /// - Returns: the lease that was at `count - 1`, or nil when the batch is empty.
    public mutating func removeLast() -> BufferLease? {
        guard count > 0 else { return nil }
        count -= 1
        // Safety: count (after the decrement) was the last initialized slot; moving it out leaves it uninitialized, outside 0..<count.
        return unsafe (leases + count).move()
    }

    /// Fills the iovec scratch with each lease's whole buffer (`forRead`) or valid bytes, and
    /// returns it with the number of entries; for one vectored request, held `inout`/borrowed
    /// until it completes.
    func unsafeIovecs(forRead: Bool) -> (UnsafePointer<iovec>, count: Int) {
        for position in indices {
            // Safety: position < count; the base address lies in that lease's buffer, which the batch keeps until the request completes.
            let lease = unsafe leases + position
            let length = forRead ? unsafe lease.pointee.capacity : unsafe lease.pointee.count
            // Safety: position < count <= grantedCount, inside the scratch; every writer of a borrowed batch stores the same values.
            unsafe (iovecs + position).pointee = unsafe iovec(iov_base: lease.pointee.base, iov_len: length)
        }
        return unsafe (UnsafePointer(iovecs), count)
    }

    /// Sets the leases' `count`s after a vectored read of `bytesRead` bytes: the leases fill in
    /// order, the first ones fully, then a partial one, then empty ones.
    mutating func distribute(bytesRead: Int) {
        var left = bytesRead
        for position in indices {
            let filled = min(left, self[position].capacity)
            self[position].count = filled
            left -= filled
        }
    }
}

@available(*, unavailable)
extension LeaseBatch: Sendable {}
