import Foundation
import Glibc
import RingIO

/// A fresh directory for one test, under /var/tmp (a disk file system on most machines, where
/// O_DIRECT works; /tmp may be tmpfs), removed with `remove()`.
struct Scratch: Sendable {
    /// The directory's path.
    let directory: String

    /// Creates the directory, readable and searchable by everyone (tests run tools as `nobody`).
    ///
    /// - Parameter base: the directory to create it in; /var/tmp unless a test needs another file system.
    /// - Throws: when mkdtemp fails.
    init(under base: String = "/var/tmp") throws {
        var template = Array((base + "/ringtools-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        chmod(directory, 0o755)
    }

    /// `name` inside the directory.
    func path(_ name: String) -> String { directory + "/" + name }

    /// Removes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The names in `directory` (or a subdirectory), sorted; hidden ones included.
    ///
    /// - Parameter subdirectory: a path relative to the scratch directory, or nil.
    func listing(_ subdirectory: String? = nil) -> [String] {
        let target = subdirectory.map(path) ?? directory
        return ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).sorted()
    }

    /// Writes `count` deterministic pseudo-random bytes (xorshift) to a new file with mode `mode`.
    ///
    /// - Parameters:
    ///   - name: file name inside the directory.
    ///   - count: size in bytes.
    ///   - seed: varies the content.
    ///   - mode: permission bits, set with chmod(2) (not subject to the umask).
    /// - Returns: the file's path.
    @discardableResult
    func makeFile(_ name: String, count: Int, seed: UInt64 = 1, mode: mode_t = 0o644) -> String {
        let target = path(name)
        _ = FileManager.default.createFile(atPath: target, contents: Data(Self.bytes(count: count, seed: seed)))
        chmod(target, mode)
        return target
    }

    /// Deterministic pseudo-random bytes, so a failure reproduces.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var result = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            result[index] = UInt8(truncatingIfNeeded: state)
        }
        return result
    }

    /// Writes `bytes` at `offset` of an existing file with pwrite(2), leaving the rest as it is.
    ///
    /// - Throws: `POSIXError` when the file cannot be opened or the write is short or fails, so the
    ///   calling test fails with the reason instead of the test process stopping.
    func pwrite(_ bytes: [UInt8], at offset: Int64, into file: String) throws {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count else {
            throw POSIXError(written < 0 ? POSIXErrorCode(rawValue: errno) ?? .EIO : .EIO)
        }
    }
}

/// stat(2) facts the tests compare.
enum FileFacts {
    /// The permission bits (including set-ID and sticky bits), or nil when the file is missing.
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// The size in bytes (following symbolic links), or nil when the file is missing.
    static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// The file type bits (S_IFREG, S_IFLNK, S_IFIFO, …) of `path` itself, not following a
    /// symbolic link (lstat(2)), or nil when nothing is there.
    static func type(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// What the symbolic link at `path` points to (readlink(2)), or nil when it is not a link.
    static func linkTarget(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    /// Bytes allocated on the device (st_blocks × 512), or nil when the file is missing.
    static func allocatedBytes(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_blocks) * 512
    }

    /// Whether the directory's file system accepts O_DIRECT (tmpfs before Linux 6.6 and some
    /// others refuse it with EINVAL).
    static func takesDirectIO(_ directory: String) -> Bool {
        let probe = directory + "/.direct-probe"
        let fd = open(probe, O_CREAT | O_RDWR | O_CLOEXEC | File.Options.direct.rawValue, 0o600)
        defer { unlink(probe) }
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }
}
