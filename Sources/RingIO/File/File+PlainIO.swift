internal import CRingIO
import Glibc

extension File {
    /// Reads into memory you own (not a registered buffer) from `offset`.
    ///
    /// The memory must stay valid until this returns; the kernel is done with it by then, even if
    /// the task is cancelled. Prefer leases (`read(into:at:)` with a `BufferLease`) on hot paths.
    ///
    /// - Parameters:
    ///   - buffer: where to put the bytes.
    ///   - offset: the file offset (0 or more); ignored for a stream (pipe, FIFO, socket,
    ///     character device), where each read takes the next bytes, as with read(2).
    ///   - timeout: if set, the read is cancelled by the kernel when it takes longer.
    /// - Returns: bytes read; 0 at or past end of file.
    /// - Throws: `RingIOError` (`.timedOut`, …), `CancellationError`.
    /// - Note: issues IORING_OP_READ (with IORING_OP_LINK_TIMEOUT when `timeout` is set).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        try checkPlain(length: buffer.count, offset: offset, .read)
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        // Safety: buffer is the caller's, valid until this returns (documented); withDescriptor returns only after the read completed.
        unsafe try checkDirectAlignment(address: base, length: buffer.count, offset: offset, .read)
        let length = UInt32(buffer.count)
        return Int(try await withDescriptor(.read, timeout: timeout, transfer: true) { _ in
            unsafe .read(address: base, length: length, offset: UInt64(offset), bufferIndex: -1)
        })
    }

    /// Reads up to `count` bytes from `offset` into a new array.
    ///
    /// - Parameters:
    ///   - count: the most bytes to read.
    ///   - offset: the file offset (0 or more).
    ///   - timeout: if set, the read is cancelled by the kernel when it takes longer.
    /// - Returns: the bytes read; shorter than `count` at end of file.
    /// - Throws: `RingIOError`, `CancellationError`.
    /// - Note: issues IORING_OP_READ.
    public func read(upTo count: Int, at offset: Int64, timeout: Duration? = nil) async throws -> [UInt8] {
        guard count >= 0 else {
            throw RingIOError.invalidArgument(.read, path: path, fd: descriptor, "count must be 0 or more (got \(count))")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: max(16, directIOAlignment?.memory ?? 16))
        // Safety: freed once, after the awaited read below has completed, so the kernel no longer writes into it.
        defer { unsafe buffer.deallocate() }
        // Safety: count <= the max(count, 1) bytes allocated, and the read wrote the n <= count bytes copied out.
        let n = unsafe try await read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), at: offset, timeout: timeout)
        return unsafe [UInt8](buffer[0..<n])
    }

    /// Writes memory you own at `offset`.
    ///
    /// - Parameters:
    ///   - bytes: what to write; must stay valid until this returns.
    ///   - offset: the file offset (0 or more; ignored with `.append`).
    ///   - timeout: if set, the write is cancelled by the kernel when it takes longer.
    /// - Returns: bytes written (may be short).
    /// - Throws: `RingIOError` (ENOSPC, EBADF, `.timedOut`, …), `CancellationError`.
    /// - Note: issues IORING_OP_WRITE (with IORING_OP_LINK_TIMEOUT when `timeout` is set).
    public func write(from bytes: UnsafeRawBufferPointer, at offset: Int64, timeout: Duration? = nil) async throws -> Int {
        try checkPlain(length: bytes.count, offset: offset, .write)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        // Safety: bytes are the caller's, valid until this returns (documented); withDescriptor returns only after the write completed.
        unsafe try checkDirectAlignment(address: base, length: bytes.count, offset: offset, .write)
        let length = UInt32(bytes.count)
        return Int(try await withDescriptor(.write, timeout: timeout, transfer: true) { _ in
            unsafe .write(address: base, length: length, offset: UInt64(offset), bufferIndex: -1)
        })
    }

    /// Writes all of `bytes` at `offset`, retrying short writes.
    ///
    /// - Parameters:
    ///   - bytes: what to write.
    ///   - offset: the file offset of the first byte.
    /// - Throws: `RingIOError`, `CancellationError`.
    /// - Note: issues IORING_OP_WRITE, as many as needed.
    public func write(_ bytes: [UInt8], at offset: Int64) async throws {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: max(16, directIOAlignment?.memory ?? 16))
        // Safety: copy has room for all bytes.count bytes (max(count, 1)); it is freed after the last awaited write completed.
        defer { unsafe copy.deallocate() }
        unsafe copy.copyBytes(from: bytes)
        var done = 0
        while done < bytes.count {
            // Safety: done < bytes.count, so the slice lies in the initialized part of copy; write awaits its completion.
            let rest = unsafe UnsafeRawBufferPointer(rebasing: copy[done..<bytes.count])
            let n = unsafe try await write(from: rest, at: offset + Int64(done))
            if n == 0 {
                throw RingIOError(code: .system, errno: .ioError, operation: .write, path: path, fd: descriptor,
                                  hint: "The kernel accepted 0 bytes of a non-empty write")
            }
            done += n
        }
    }

    /// Reads into several buffers in order (scatter), from `offset`.
    ///
    /// - Parameters:
    ///   - buffers: filled one after the other; they must stay valid until this returns.
    ///   - offset: the file offset (0 or more).
    /// - Returns: total bytes read.
    /// - Throws: `RingIOError`, `CancellationError`.
    /// - Note: issues IORING_OP_READV.
    public func read(into buffers: [UnsafeMutableRawBufferPointer], at offset: Int64) async throws -> Int {
        // Safety: the buffers are the caller's, valid until this returns (documented); iovecs is freed only after the awaited READV completed.
        let iovecs = unsafe try makeIovecs(buffers.map { ($0.baseAddress, $0.count) }, offset: offset, .readVectored)
        defer { unsafe iovecs.deallocate() }
        let count = UInt32(iovecs.count)
        return Int(try await withDescriptor(.readVectored, transfer: true) { _ in
            unsafe .readVectored(iovecs: UnsafePointer(iovecs.baseAddress!), count: count, offset: UInt64(offset))
        })
    }

    /// Writes several buffers in order (gather) at `offset`.
    ///
    /// - Parameters:
    ///   - buffers: written one after the other; they must stay valid until this returns.
    ///   - offset: the file offset (0 or more).
    /// - Returns: total bytes written (may be short).
    /// - Throws: `RingIOError`, `CancellationError`.
    /// - Note: issues IORING_OP_WRITEV.
    public func write(from buffers: [UnsafeRawBufferPointer], at offset: Int64) async throws -> Int {
        // Safety: WRITEV only reads the caller's buffers (valid until this returns), so dropping const is fine; iovecs outlives the awaited write.
        let iovecs = unsafe try makeIovecs(buffers.map { unsafe (UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }, offset: offset, .writeVectored)
        defer { unsafe iovecs.deallocate() }
        let count = UInt32(iovecs.count)
        return Int(try await withDescriptor(.writeVectored, transfer: true) { _ in
            unsafe .writeVectored(iovecs: UnsafePointer(iovecs.baseAddress!), count: count, offset: UInt64(offset))
        })
    }

    private func checkPlain(length: Int, offset: Int64, _ operation: Operation) throws {
        guard offset >= 0, offset <= Int64.max - Int64(length) else {
            throw RingIOError.invalidArgument(operation, path: path, fd: descriptor, "The file offset must be 0 or more, and offset + length must fit in 63 bits (got \(offset))")
        }
        guard length <= Int(Int32.max) else {
            throw RingIOError.invalidArgument(operation, path: path, fd: descriptor, "One request moves at most 2 GiB - 1 bytes (got \(length)); split it")
        }
    }

    /// The iovec array for a vectored request; the caller deallocates it after the operation.
    private func makeIovecs(
        _ parts: [(UnsafeMutableRawPointer?, Int)], offset: Int64, _ operation: Operation
    ) throws -> UnsafeMutableBufferPointer<iovec> {
        // Safety: only the number of parts is read; no pointer is dereferenced.
        guard unsafe !parts.isEmpty, unsafe parts.count <= Self.maximumVectorCount else {
            throw RingIOError.invalidArgument(operation, path: path, fd: descriptor, unsafe "Between 1 and \(Self.maximumVectorCount) buffers are allowed (got \(parts.count))")
        }
        // Safety: parts.count trivial iovecs, every index written by the loop below; the caller frees them after its awaited operation.
        let iovecs = unsafe UnsafeMutableBufferPointer<iovec>.allocate(capacity: parts.count)
        for unsafe (index, part) in unsafe parts.enumerated() {
            unsafe iovecs[index] = unsafe iovec(iov_base: part.0, iov_len: part.1)
        }
        do {
            // Safety: fully initialized above.
            unsafe try checkVectored(UnsafeBufferPointer(iovecs), offset: offset, operation)
        } catch {
            unsafe iovecs.deallocate()
            throw error
        }
        // Safety: fully initialized above; ownership passes to the caller, which deallocates it after the operation.
        return unsafe iovecs
    }

    /// UIO_MAXIOV: the most buffers one READV/WRITEV takes.
    static let maximumVectorCount = 1024

    /// Checks a vectored request: 1 ... 1024 buffers, a total length and offset the kernel
    /// takes, and O_DIRECT's alignment for each buffer.
    ///
    /// - Throws: `RingIOError` `.invalidArgument`, naming `operation`, the path and the fd.
    func checkVectored(_ iovecs: UnsafeBufferPointer<iovec>, offset: Int64, _ operation: Operation) throws {
        guard !iovecs.isEmpty, iovecs.count <= Self.maximumVectorCount else {
            throw RingIOError.invalidArgument(operation, path: path, fd: descriptor, "Between 1 and \(Self.maximumVectorCount) buffers are allowed (got \(iovecs.count))")
        }
        // Safety: only sums the lengths (checked Int arithmetic); no buffer is dereferenced.
        unsafe try checkPlain(length: iovecs.reduce(0) { unsafe $0 + $1.iov_len }, offset: offset, operation)
        if directIOAlignment != nil {
            // Safety: only the addresses' alignment is tested; a nil base (an empty buffer) is replaced by a dummy non-null address, never dereferenced.
            for unsafe entry in unsafe iovecs {
                unsafe try checkDirectAlignment(address: entry.iov_base ?? UnsafeMutableRawPointer(bitPattern: 1)!, length: entry.iov_len, offset: offset, operation)
            }
        }
    }
}
