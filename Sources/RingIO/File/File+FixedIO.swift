internal import CRingIO

extension File {
    /// Reads into a leased buffer from `offset`, as many bytes as the lease holds or the file has.
    ///
    /// - Parameters:
    ///   - lease: the buffer; on return its `count` is the number of bytes read.
    ///   - offset: the file offset (0 or more); ignored for a stream (pipe, FIFO, socket,
    ///     character device), where each read takes the next bytes, as with read(2).
    ///   - timeout: if set, the read is cancelled by the kernel when it takes longer.
    /// - Returns: bytes read; 0 at or past end of file; fewer than asked for a short read.
    /// - Throws: `RingIOError` (errno, path, fd; `.timedOut`), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED (with IORING_OP_LINK_TIMEOUT when `timeout` is set).
    @inlinable
    public func read(into lease: inout BufferLease, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        try await read(into: &lease, range: 0..<lease.capacity, at: offset, timeout: timeout)
    }

    /// Reads into `range` of a leased buffer from `offset`.
    ///
    /// - Parameters:
    ///   - lease: the buffer; on return its `count` is `range.lowerBound + bytesRead`.
    ///   - range: where in the lease to put the data.
    ///   - offset: the file offset (0 or more). A pipe, FIFO, socket or character device has no
    ///     offsets: there it is ignored and each read takes the next bytes, as with read(2).
    ///   - timeout: if set, the read is cancelled by the kernel when it takes longer.
    /// - Returns: bytes read; 0 at or past end of file.
    /// - Throws: `RingIOError` (`.invalidArgument` for a range outside the lease, `.timedOut`), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED (with IORING_OP_LINK_TIMEOUT when `timeout` is set);
    ///   IORING_OP_READ when the pool could not be registered (see `RingExecutor.capabilities`).
    public func read(into lease: inout BufferLease, range: Range<Int>, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        // Safety: address(of:in:) checked the range lies in the lease; lease is held inout until withDescriptor returns, after the read completed.
        let address = unsafe try address(of: range, in: lease, offset: offset, .readFixed)
        let length = UInt32(range.count)
        let index = Int32(lease.index)
        let result = try await withDescriptor(.readFixed, timeout: timeout, transfer: true) { _ in
            unsafe .read(address: address, length: length, offset: UInt64(offset), bufferIndex: index)
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
    ///   - timeout: if set, a budget for the whole call; each read gets what is left of it.
    /// - Returns: bytes read; less than `range.count` only at end of file.
    /// - Throws: `RingIOError` (`.timedOut` with `bytesTransferred`), `CancellationError`
    ///   (bytes read so far stay in the lease, and `lease.count` covers them).
    /// - Note: issues IORING_OP_READ_FIXED, as many as needed.
    public func readFully(
        into lease: inout BufferLease, range: Range<Int>? = nil, at offset: Int64, timeout: Duration? = nil
    ) async throws -> Int {
        let range = range ?? 0..<lease.capacity
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var done = 0
        do {
            while done < range.count {
                let remaining = try remainingTime(until: deadline, timeout: timeout, .readFixed)
                let n = try await read(
                    into: &lease, range: (range.lowerBound + done)..<range.upperBound, at: offset + Int64(done),
                    timeout: remaining)
                if n == 0 { break }
                done += n
                if endsFile(afterReading: n) { break }
            }
        } catch var error as RingIOError {
            lease.count = range.lowerBound + done
            error.bytesTransferred = done
            throw error
        } catch {
            lease.count = range.lowerBound + done
            throw error
        }
        lease.count = range.lowerBound + done
        return done
    }

    /// Whether a read that moved `transferred` bytes (more than 0) must have reached end of file:
    /// with O_DIRECT an unaligned count does (the next offset would be unaligned); otherwise a
    /// short read says nothing, and the rest is read again.
    @inline(__always)
    func endsFile(afterReading transferred: Int) -> Bool {
        guard let alignment = directIOAlignment else { return false }
        return transferred % alignment.offset != 0
    }

    /// What is left of a `…Fully` call's time budget; throws `.timedOut` once it is spent.
    func remainingTime(until deadline: ContinuousClock.Instant?, timeout: Duration?, _ operation: Operation) throws -> Duration? {
        guard let deadline, let timeout else { return nil }
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else {
            throw RingIOError.timedOut(operation, after: timeout, path: path, fd: descriptor)
        }
        return remaining
    }

    /// Writes the lease's `count` valid bytes at `offset`.
    ///
    /// - Parameters:
    ///   - lease: the buffer; its bytes `0..<count` are written.
    ///   - offset: the file offset (0 or more; ignored for files opened with `.append`).
    ///   - timeout: if set, the write is cancelled by the kernel when it takes longer.
    /// - Returns: bytes written (may be short).
    /// - Throws: `RingIOError` (ENOSPC, EBADF, `.timedOut`, …), `CancellationError`.
    /// - Note: issues IORING_OP_WRITE_FIXED (with IORING_OP_LINK_TIMEOUT when `timeout` is set).
    @inlinable
    public func write(from lease: borrowing BufferLease, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        try await write(from: lease, range: 0..<lease.count, at: offset, timeout: timeout)
    }

    /// Writes `range` of the lease at `offset`.
    ///
    /// - Parameters:
    ///   - lease: the buffer.
    ///   - range: which bytes of the lease to write.
    ///   - offset: the file offset (0 or more).
    ///   - timeout: if set, the write is cancelled by the kernel when it takes longer.
    /// - Returns: bytes written (may be short).
    /// - Throws: `RingIOError` (`.timedOut`, …), `CancellationError`.
    /// - Note: issues IORING_OP_WRITE_FIXED (with IORING_OP_LINK_TIMEOUT when `timeout` is set).
    public func write(from lease: borrowing BufferLease, range: Range<Int>, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        // Safety: address(of:in:) checked the range lies in the lease; lease stays borrowed until withDescriptor returns, after the write completed.
        let address = unsafe try address(of: range, in: lease, offset: offset, .writeFixed)
        let length = UInt32(range.count)
        let index = Int32(lease.index)
        let result = try await withDescriptor(.writeFixed, timeout: timeout, transfer: true) { _ in
            unsafe .write(address: address, length: length, offset: UInt64(offset), bufferIndex: index)
        }
        return Int(result)
    }

    /// Writes all of `range` (default `0..<count`), retrying short writes.
    ///
    /// - Parameters:
    ///   - lease: the buffer.
    ///   - range: which bytes to write; default the lease's valid bytes.
    ///   - offset: the file offset of the first byte.
    ///   - timeout: if set, a budget for the whole call; each write gets what is left of it.
    /// - Returns: `range.count`.
    /// - Throws: `RingIOError` (e.g. ENOSPC; `.timedOut`; with `bytesTransferred` set), `CancellationError`.
    /// - Note: issues IORING_OP_WRITE_FIXED, as many as needed.
    @discardableResult
    public func writeFully(
        from lease: borrowing BufferLease, range: Range<Int>? = nil, at offset: Int64, timeout: Duration? = nil
    ) async throws -> Int {
        let range = range ?? 0..<lease.count
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var done = 0
        do {
            while done < range.count {
                let remaining = try remainingTime(until: deadline, timeout: timeout, .writeFixed)
                let n = try await write(
                    from: lease, range: (range.lowerBound + done)..<range.upperBound, at: offset + Int64(done),
                    timeout: remaining)
                if n == 0 {
                    throw RingIOError(code: .system, errno: .ioError, operation: .writeFixed, path: path, fd: descriptor,
                                      hint: "The kernel accepted 0 bytes of a non-empty write")
                }
                done += n
            }
        } catch var error as RingIOError {
            error.bytesTransferred = done
            throw error
        }
        return done
    }
}
