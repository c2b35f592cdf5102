internal import CRingIO
import Glibc

/// Registers a region's buffers with a ring and explains the kernel's refusals.
enum BufferRegistration {
    /// io_uring_register_buffers for every buffer of `region`.
    ///
    /// - Throws: `.lockedMemoryLimit` for ENOMEM (with the limit, the bytes needed and the `ulimit -l` fix),
    ///   `.fileBackedMemory` for EOPNOTSUPP (or EFAULT on file-backed memory), `.system` otherwise.
    static func register(_ region: BufferRegion, on ring: Ring) throws(RingIOError) {
        // Safety: region.iovecs holds region.count initialized iovecs and region is alive for the call; the kernel copies them before returning.
        let result = unsafe ring.registerBuffers(region.iovecs, count: region.count)
        guard result < 0 else { return }
        throw explain(result, region: region)
    }

    /// Registers the pool's buffers with `ring`. With `fitToTheLimit` (the `.fallback` policy),
    /// when RLIMIT_MEMLOCK is too small, fits the pool to it (halving until the kernel accepts, since other pinned memory
    /// counts too) or, if not even one buffer fits, leaves it unregistered.
    ///
    /// - Returns: whether the (possibly smaller) `region` is registered.
    static func registerFitting(
        _ region: inout BufferRegion, on ring: Ring, fitToTheLimit: Bool, forceUnregistered: Bool = false, notes: inout [String]
    ) throws(RingIOError) -> Bool {
        do throws(RingIOError) {
            if forceUnregistered {
                throw RingIOError(code: .lockedMemoryLimit, errno: .noMemory, operation: .registerBuffers, hint: "registration turned off for a test")
            }
            try register(region, on: ring)
            return true
        } catch where fitToTheLimit && error.code == .lockedMemoryLimit {
            let limit = ringio_memlock_limit()
            var fitting = limit == UInt64.max || forceUnregistered
                ? 0 : min(region.count - 1, Int(limit / UInt64(region.stride)))
            while fitting >= 1 {
                if let candidate = try? BufferRegion(count: fitting, size: region.size),
                   (try? register(candidate, on: ring)) != nil {
                    notes.append("RLIMIT_MEMLOCK (\(limit) bytes) holds \(candidate.count) of the \(region.count) buffers asked for, so the pool has \(candidate.count); raise `ulimit -l` for more: \(error.hint ?? "")")
                    region = candidate
                    return true
                }
                fitting /= 2
            }
            notes.append("RLIMIT_MEMLOCK (\(limit) bytes) is too small to register even one buffer, so leases use plain READ/WRITE instead of READ_FIXED/WRITE_FIXED: \(error.hint ?? "")")
            return false
        }
    }

    static func explain(_ result: Int32, region: BufferRegion) -> RingIOError {
        let errno = Errno(rawValue: -result)
        switch -result {
        case ENOMEM:
            return RingIOError(
                code: .lockedMemoryLimit, errno: errno, operation: .registerBuffers,
                hint: memlockHint(bytesNeeded: region.byteCount, count: region.count, size: region.size))
        case EOPNOTSUPP:
            return fileBacked(errno)
        case EFAULT where region.isFileBacked:
            return fileBacked(errno)
        default:
            return RingIOError.fromResult(result, operation: .registerBuffers)
        }
    }

    private static func fileBacked(_ errno: Errno) -> RingIOError {
            return RingIOError(
                code: .fileBackedMemory, errno: errno, operation: .registerBuffers,
                hint: "The kernel will not pin file-backed memory (a MAP_SHARED mapping of a file) as a fixed buffer; "
                    + "register anonymous memory instead, as BufferPool does (mmap with MAP_ANONYMOUS)")
    }

    /// The memlock explanation: the limit in force, the bytes needed, and how to raise the limit.
    static func memlockHint(bytesNeeded: Int, count: Int, size: Int) -> String {
        let limit = ringio_memlock_limit()
        let needKiB = (bytesNeeded + 1023) / 1024
        let shape = "\(count) buffers × \(size) bytes = \(bytesNeeded) bytes (\(needKiB) KiB)"
        if limit == UInt64.max {
            return "Registering \(shape) must be locked in memory, RLIMIT_MEMLOCK is unlimited, and the kernel still had no memory for it; use a smaller pool"
        }
        let limitKiB = Int(limit / 1024)
        return "Registering \(shape) must be locked in memory, but RLIMIT_MEMLOCK allows \(limit) bytes (\(limitKiB) KiB) "
            + "for this user, including memory other rings already pinned. Raise it before starting the program: `ulimit -l \(max(needKiB * 2, limitKiB * 2))` "
            + "(or `ulimit -l unlimited`) in the shell, LimitMEMLOCK= in a systemd unit, `--ulimit memlock=-1` for Docker, "
            + "or configure a smaller pool (count × size under the limit)"
    }
}

extension BufferRegion {
    /// True if the first buffer lies in a mapping backed by a file (per /proc/self/maps).
    var isFileBacked: Bool {
        // Safety: fopen gets two NUL-terminated literals; the FILE* is closed exactly once, by the defer, after its last use.
        guard let maps = unsafe fopen("/proc/self/maps", "r") else { return false }
        defer { unsafe fclose(maps) }
        // Safety: only turns the address into an integer to compare with the ranges in the maps file; nothing is dereferenced.
        let address = unsafe UInt(bitPattern: base)
        var line = [CChar](repeating: 0, count: 4096)
        // Safety: fgets writes at most line.count - 1 bytes plus a NUL into the array, so String(cString:) stops inside it.
        while unsafe fgets(&line, Int32(line.count), maps) != nil {
            let text = unsafe line.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, let dash = fields[0].firstIndex(of: "-"),
                  let start = UInt(fields[0][..<dash], radix: 16),
                  let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  address >= start && address < end
            else { continue }
            return fields[4] != "0"  // inode 0: anonymous
        }
        return false
    }
}
