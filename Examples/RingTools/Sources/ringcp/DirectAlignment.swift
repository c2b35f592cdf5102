import Glibc
import RingIO

/// What O_DIRECT asks of the copy's reads and writes, learned from statx (STATX_DIOALIGN) through
/// `File.directIOAlignment`, and how the unaligned tail of a file is handled.
///
/// Every chunk starts at a multiple of the buffer size, so offsets are aligned; only the last
/// chunk's length may not be. It is read with its length rounded up (the kernel returns the real
/// tail at end of file) and written rounded up with zeros after the data; the copy is then cut to
/// the source's size with ftruncate. RingIO itself refuses misaligned O_DIRECT requests with an
/// explanation, so a mistake here shows as a clear error, never as corrupt data.
struct DirectAlignment: Sendable {
    /// Offset/length alignment of the source.
    let read: Int
    /// Offset/length alignment of the destination.
    let write: Int

    /// Checks that the chunk size and the pool's buffers suit both files.
    ///
    /// - Parameters:
    ///   - source: the source, opened with `.direct`.
    ///   - destination: the destination, opened with `.direct`.
    ///   - chunkSize: bytes per chunk (the pool's buffer size).
    /// - Throws: `CopyError` when the chunk size is not a multiple of an alignment, or the
    ///   page-aligned pool buffers do not meet the memory alignment.
    init(source: File, destination: File, chunkSize: Int) throws {
        // Files opened with `.direct` always have an alignment (RingIO assumes 4096 without
        // STATX_DIOALIGN); 4096 stands in should one be missing.
        read = max(1, source.directIOAlignment?.offset ?? 4096)
        write = max(1, destination.directIOAlignment?.offset ?? 4096)
        guard chunkSize % read == 0, chunkSize % write == 0 else {
            throw CopyError("--buffer-size \(chunkSize) is not a multiple of the O_DIRECT alignment (source \(read), destination \(write) bytes); choose a multiple of both")
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let memory = max(source.directIOAlignment?.memory ?? 4096, destination.directIOAlignment?.memory ?? 4096)
        guard memory > 0, page % memory == 0 else {
            throw CopyError("O_DIRECT here needs buffers aligned to \(memory) bytes, more than the page size \(page) the pool's buffers are aligned to")
        }
    }

    /// How many bytes to ask the source for, for a chunk of `length` bytes.
    func readLength(_ length: Int) -> Int { Self.roundUp(length, read) }

    /// How many bytes to write to the destination for a chunk of `length` bytes.
    func writeLength(_ length: Int) -> Int { Self.roundUp(length, write) }

    private static func roundUp(_ value: Int, _ alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }
}
