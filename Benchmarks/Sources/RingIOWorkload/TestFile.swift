#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Errors raised while preparing or running the benchmark workload.
public enum WorkloadError: Error, CustomStringConvertible {
    case system(call: String, path: String, errno: Int32)
    case shortRead(offset: UInt64, expected: Int, got: Int)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .system(call, path, errno):
            return "\(call)(\(path)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case let .shortRead(offset, expected, got):
            return "short read at offset \(offset): expected \(expected) bytes, got \(got)"
        case let .invalidArgument(message):
            return message
        }
    }
}

/// The page-cached file the random-read workloads read from.
public enum TestFile {
    /// 256 MiB: large enough that random 4 KiB offsets do not all sit in the CPU caches,
    /// small enough to stay resident in the page cache on a CI machine.
    public static let defaultSize: UInt64 = 256 << 20

    /// `$TMPDIR/ringio-bench-256m.dat`, or `/tmp/...` when TMPDIR is unset.
    public static var defaultPath: String {
        var directory = "/tmp"
        if let tmp = getenv("TMPDIR") {
            let value = String(cString: tmp)
            if !value.isEmpty { directory = value }
        }
        if directory.hasSuffix("/") { directory.removeLast() }
        return directory + "/ringio-bench-256m.dat"
    }

    /// Creates `path` with `size` bytes of non-zero data when it is missing or has another size,
    /// then reads it once from start to end so that it sits in the page cache.
    ///
    /// Returns `true` when the file had to be (re)written.
    @discardableResult
    public static func prepare(path: String = defaultPath, size: UInt64 = defaultSize) throws -> Bool {
        var created = false
        var info = stat()
        if stat(path, &info) != 0 || UInt64(info.st_size) != size || (info.st_mode & S_IFMT) != S_IFREG {
            try create(path: path, size: size)
            created = true
        }
        try warm(path: path)
        return created
    }

    /// Writes `size` bytes with pwrite, 1 MiB at a time, into a temporary name and renames it into
    /// place, so a concurrently running reader never sees a half-written file.
    public static func create(path: String, size: UInt64) throws {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WorkloadError.system(call: "open", path: temporary, errno: errno) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(temporary) }
        }

        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        // A deterministic, non-zero pattern: every 8-byte word holds its absolute file offset, so a
        // read that returned the wrong block would be visible to anyone checking.
        var offset: UInt64 = 0
        while offset < size {
            let count = Int(min(UInt64(chunk), size - offset))
            let words = buffer.bindMemory(to: UInt64.self)
            for index in 0..<(count / 8) {
                words[index] = offset &+ UInt64(index * 8)
            }
            var written = 0
            while written < count {
                let result = pwrite(fd, buffer.baseAddress! + written, count - written, off_t(offset) + off_t(written))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw WorkloadError.system(call: "pwrite", path: temporary, errno: errno)
                }
                written += result
            }
            offset += UInt64(count)
        }
        guard fsync(fd) == 0 else { throw WorkloadError.system(call: "fsync", path: temporary, errno: errno) }
        guard rename(temporary, path) == 0 else {
            throw WorkloadError.system(call: "rename", path: path, errno: errno)
        }
        ok = true
    }

    /// Reads the whole file once (buffered) to pull it into the page cache.
    public static func warm(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WorkloadError.system(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED)
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        var offset: off_t = 0
        while true {
            let result = pread(fd, buffer.baseAddress!, chunk, offset)
            if result < 0 {
                if errno == EINTR { continue }
                throw WorkloadError.system(call: "pread", path: path, errno: errno)
            }
            if result == 0 { break }
            offset += off_t(result)
        }
    }

    /// The size of `path` in bytes.
    public static func size(of path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw WorkloadError.system(call: "stat", path: path, errno: errno) }
        return UInt64(info.st_size)
    }
}
