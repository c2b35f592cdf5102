internal import CRingIO

extension File {
    /// Reads into a leased buffer from `offset`, as many bytes as the lease holds or the file has.
    ///
    /// - Parameters:
    ///   - lease: the buffer; on return its `count` is the number of bytes read.
    ///   - offset: the file offset (0 or more).
    /// - Returns: bytes read; 0 at or past end of file; fewer than asked for a short read.
    /// - Throws: `RingIOError` (errno, path, fd), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED.
    @inlinable
    public func read(into lease: inout BufferLease, at offset: Int64) async throws -> Int {
        try await read(into: &lease, range: 0..<lease.capacity, at: offset)
    }

    /// Reads into `range` of a leased buffer from `offset`.
    ///
    /// - Parameters:
    ///   - lease: the buffer; on return its `count` is `range.lowerBound + bytesRead`.
    ///   - range: where in the lease to put the data.
    ///   - offset: the file offset (0 or more).
    /// - Returns: bytes read; 0 at or past end of file.
    /// - Throws: `RingIOError` (`.invalidArgument` for a range outside the lease), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED.
    public func read(into lease: inout BufferLease, range: Range<Int>, at offset: Int64) async throws -> Int {
        let address = try address(of: range, in: lease, offset: offset, .readFixed)
        let length = UInt32(range.count)
        let index = Int32(lease.index)
        let result = try await withDescriptor(.readFixed) { fd, sqe in
            io_uring_prep_read_fixed(sqe, fd, address, length, UInt64(offset), index)
        }
        lease.count = range.lowerBound + Int(result)
        return Int(result)
    }

    /// Reads until `range` of the lease is full or the file ends, retrying short reads.
    ///
    /// - Parameters:
    ///   - lease: the buffer; on return its `count` is `range.lowerBound + bytesRead`.
    ///   - range: where in the lease to put the data; default the whole lease.
    ///   - offset: the file offset of the first byte.
    /// - Returns: bytes read; less than `range.count` only at end of file.
    /// - Throws: `RingIOError`, `CancellationError` (bytes read so far stay in the lease).
    /// - Note: issues IORING_OP_READ_FIXED, as many as needed.
    public func readFully(into lease: inout BufferLease, range: Range<Int>? = nil, at offset: Int64) async throws -> Int {
        let range = range ?? 0..<lease.capacity
        var done = 0
        while done < range.count {
            let n = try await read(into: &lease, range: (range.lowerBound + done)..<range.upperBound, at: offset + Int64(done))
            if n == 0 { break }
            done += n
        }
        lease.count = range.lowerBound + done
        return done
    }

    /// Writes the lease's `count` valid bytes at `offset`.
    ///
    /// - Parameters:
    ///   - lease: the buffer; its bytes `0..<count` are written.
    ///   - offset: the file offset (0 or more; ignored for files opened with `.append`).
    /// - Returns: bytes written (may be short).
    /// - Throws: `RingIOError` (ENOSPC, EBADF, …), `CancellationError`.
    /// - Note: issues IORING_OP_WRITE_FIXED.
    @inlinable
    public func write(from lease: borrowing BufferLease, at offset: Int64) async throws -> Int {
        try await write(from: lease, range: 0..<lease.count, at: offset)
    }

    /// Writes `range` of the lease at `offset`.
    ///
    /// - Parameters:
    ///   - lease: the buffer.
    ///   - range: which bytes of the lease to write.
    ///   - offset: the file offset (0 or more).
    /// - Returns: bytes written (may be short).
    /// - Throws: `RingIOError`, `CancellationError`.
    /// - Note: issues IORING_OP_WRITE_FIXED.
    public func write(from lease: borrowing BufferLease, range: Range<Int>, at offset: Int64) async throws -> Int {
        let address = try address(of: range, in: lease, offset: offset, .writeFixed)
        let length = UInt32(range.count)
        let index = Int32(lease.index)
        let result = try await withDescriptor(.writeFixed) { fd, sqe in
            io_uring_prep_write_fixed(sqe, fd, address, length, UInt64(offset), index)
        }
        return Int(result)
    }

    /// Writes all of `range` (default `0..<count`), retrying short writes.
    ///
    /// - Parameters:
    ///   - lease: the buffer.
    ///   - range: which bytes to write; default the lease's valid bytes.
    ///   - offset: the file offset of the first byte.
    /// - Returns: `range.count`.
    /// - Throws: `RingIOError` (e.g. ENOSPC), `CancellationError`.
    /// - Note: issues IORING_OP_WRITE_FIXED, as many as needed.
    @discardableResult
    public func writeFully(from lease: borrowing BufferLease, range: Range<Int>? = nil, at offset: Int64) async throws -> Int {
        let range = range ?? 0..<lease.count
        var done = 0
        while done < range.count {
            let n = try await write(from: lease, range: (range.lowerBound + done)..<range.upperBound, at: offset + Int64(done))
            if n == 0 {
                throw RingIOError(code: .system, errno: .ioError, operation: .writeFixed, path: path, fd: descriptor,
                                  hint: "The kernel accepted 0 bytes of a non-empty write")
            }
            done += n
        }
        return done
    }
}
