import Glibc

/// The parts of a file that hold data, found with lseek(2) SEEK_DATA / SEEK_HOLE, so the holes of
/// a sparse file need not be read or written.
///
/// lseek is a plain syscall (io_uring has no opcode for it); it is cheap and does no I/O.
enum DataExtents {
    /// SEEK_DATA and SEEK_HOLE from <unistd.h> (the same on every Linux architecture; Glibc's
    /// Swift module only exports them with _GNU_SOURCE).
    private static let seekData: Int32 = 3
    private static let seekHole: Int32 = 4

    /// The data ranges of the first `size` bytes of the open file `fd`, in order.
    ///
    /// - Parameters:
    ///   - fd: the open source file (its file offset is moved; RingIO's reads do not use it).
    ///   - size: the file's size when the copy started.
    /// - Returns: ranges that together cover every byte that may hold data; the whole file when the
    ///   file system does not report holes (EINVAL, EOPNOTSUPP, …).
    static func find(in fd: Int32, size: Int64) -> [Range<Int64>] {
        guard size > 0 else { return [] }
        var extents: [Range<Int64>] = []
        var position: Int64 = 0
        while position < size {
            let data = Int64(lseek(fd, off_t(position), seekData))
            if data < 0 {
                if errno == ENXIO { break }  // no data after `position`: the rest is a hole
                extents.append(position..<size)  // holes unknown here: treat the rest as data
                break
            }
            if data >= size { break }
            let hole = Int64(lseek(fd, off_t(data), seekHole))
            guard hole > data else {
                extents.append(data..<size)
                break
            }
            extents.append(data..<min(hole, size))
            position = hole
        }
        return extents
    }
}
