import Glibc

/// Whether two names refer to the same file (same device and inode), which cp(1) refuses to copy.
///
/// Plain fstat(2)/stat(2): RingIO's `FileStatus` has the inode but not the device number.
enum SameFile {
    /// Whether the open descriptor `fd` and the file at `path` are one file.
    ///
    /// - Parameters:
    ///   - fd: the open source.
    ///   - path: the destination path (following symbolic links).
    /// - Returns: true when both have the same st_dev and st_ino; false if either cannot be stat'ed.
    static func check(_ fd: Int32, _ path: String) -> Bool {
        var a = stat()
        var b = stat()
        guard fstat(fd, &a) == 0, stat(path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
