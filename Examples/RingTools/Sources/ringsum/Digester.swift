import Crypto
import Glibc
import RingIO

/// Computes the SHA-256 of an input read through the ring.
///
/// Seekable inputs (regular files, block devices) stream with `File.chunks(readAhead:)`: reads of
/// the next chunks (IORING_OP_READ_FIXED, one registered buffer each) are in flight while the
/// current one is hashed. Pipes, terminals and other streams have no offsets, and concurrent reads
/// could return their data out of order, so they are read one request at a time into one leased
/// buffer (the offset passed is ignored by the kernel for streams).
struct Digester: Sendable {
    /// Reads kept in flight for seekable inputs (1 or more).
    let readAhead: Int

    /// Hashes `input` to its end.
    ///
    /// - Parameter input: the open input.
    /// - Returns: the 32-byte SHA-256 digest.
    /// - Throws: `InputFailure` (EISDIR for a directory, EIO, …).
    /// - Note: issues IORING_OP_STATX, then IORING_OP_READ_FIXED (plain IORING_OP_READ when the pool
    ///   is not registered).
    func digest(of input: InputFile) async throws(InputFailure) -> [UInt8] {
        do {
            let status = try await input.file.status()
            var hasher = SHA256()
            switch status.kind {
            case .regular, .blockDevice:
                try await hashChunks(of: input, into: &hasher)
            default:
                try await hashStream(input.file, into: &hasher)
            }
            return Array(hasher.finalize())
        } catch let error as RingIOError {
            throw InputFailure(error)
        } catch let error as InputFailure {
            throw error
        } catch {
            throw InputFailure(errno: EIO)
        }
    }

    /// Hashes a seekable input with reads ahead in flight. For stdin, starts at its current file
    /// offset and leaves the offset at the end, as a read(2) loop would.
    private func hashChunks(of input: InputFile, into hasher: inout SHA256) async throws {
        var start: Int64 = 0
        if input.isStandardInput, let fd = input.file.descriptor {
            start = max(0, Int64(lseek(fd, 0, SEEK_CUR)))
        }
        var end = start
        for try await chunk in input.file.chunks(readAhead: readAhead, from: start) {
            chunk.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            end = chunk.offset + Int64(chunk.count)
        }
        if input.isStandardInput, let fd = input.file.descriptor {
            _ = lseek(fd, off_t(end), SEEK_SET)
        }
    }

    /// Hashes a stream (pipe, terminal, character device, …) one read at a time until end of file.
    private func hashStream(_ file: File, into hasher: inout SHA256) async throws {
        var lease = try await file.executor.buffers.lease()
        var offset: Int64 = 0
        while true {
            let count = try await file.read(into: &lease, at: offset)
            if count == 0 { return }
            lease.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            offset += Int64(count)
        }
    }
}
