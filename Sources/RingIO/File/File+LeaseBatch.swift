internal import CRingIO

extension File {
    /// Reads into the leases of a batch in order (scatter), from `offset`: one request fills the
    /// first lease, then the next, as far as the file goes.
    ///
    /// - Parameters:
    ///   - batch: the leases (see `BufferPool.lease(count:)`); on return each lease's `count` is
    ///     the bytes that landed in it: the first ones full, then at most one partly filled, then
    ///     empty ones.
    ///   - offset: the file offset (0 or more; ignored for a stream, as with readv(2)).
    ///   - timeout: if set, the read is cancelled by the kernel when it takes longer.
    /// - Returns: total bytes read (less than `batch.byteCapacity` for a short read or at end of file).
    /// - Throws: `RingIOError` (`.invalidArgument` for an empty batch or one of more than 1024
    ///   leases, `.timedOut`, errno), `CancellationError`. The batch keeps every lease either way.
    /// - Note: issues IORING_OP_READV over the leases' memory (registered or not; the kernel maps
    ///   the pages per request, as for any READV).
    public func read(into batch: inout LeaseBatch, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        // Safety: the entries point into the batch's own leases, which the batch (held inout until the READV completed) keeps; the scratch lives as long as the batch.
        let (iovecs, count) = unsafe batch.unsafeIovecs(forRead: true)
        unsafe try checkVectored(UnsafeBufferPointer(start: iovecs, count: count), offset: offset, .readVectored)
        let entries = UInt32(count)
        let result = try await withDescriptor(.readVectored, timeout: timeout, transfer: true) { _ in
            unsafe .readVectored(iovecs: iovecs, count: entries, offset: UInt64(offset))
        }
        batch.distribute(bytesRead: Int(result))
        return Int(result)
    }

    /// Writes the valid bytes of every lease of a batch in order (gather) at `offset`: one request
    /// for records packed into several buffers.
    ///
    /// - Parameters:
    ///   - batch: the leases; each sends its `count` valid bytes (a lease with none is skipped).
    ///   - offset: the file offset of the first byte (0 or more; ignored with `.append` and for a stream).
    ///   - timeout: if set, the write is cancelled by the kernel when it takes longer.
    /// - Returns: total bytes written (may be short, as for writev(2)).
    /// - Throws: `RingIOError` (`.invalidArgument` for an empty batch or one of more than 1024
    ///   leases, `.timedOut`, ENOSPC, …), `CancellationError`.
    /// - Note: issues IORING_OP_WRITEV over the leases' memory.
    public func write(from batch: borrowing LeaseBatch, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        // Safety: the entries point into the batch's leases, borrowed until the WRITEV completed; the scratch lives as long as the batch.
        let (iovecs, count) = unsafe batch.unsafeIovecs(forRead: false)
        unsafe try checkVectored(UnsafeBufferPointer(start: iovecs, count: count), offset: offset, .writeVectored)
        let entries = UInt32(count)
        return Int(try await withDescriptor(.writeVectored, timeout: timeout, transfer: true) { _ in
            unsafe .writeVectored(iovecs: iovecs, count: entries, offset: UInt64(offset))
        })
    }
}
