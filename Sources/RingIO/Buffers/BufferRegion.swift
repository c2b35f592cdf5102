internal import CRingIO
import Glibc

/// One contiguous anonymous mapping cut into `count` page-aligned buffers, with their iovecs.
///
/// Anonymous memory only: the kernel will not pin file-backed pages for fixed buffers, and page
/// alignment makes every buffer fit for O_DIRECT. Unmapped in `deinit`, which runs only once no
/// lease (and so no kernel operation) can refer to it.
// Safety: every stored property is immutable after init; the memory itself is reached only through
// leases (one owner per buffer) and the kernel, never through this object.
@safe  // Safety: owns its iovec array and, when made by init(count:size:), its anonymous mmap (both released in deinit);
// init(unsafeMapping:) callers keep their memory mapped; pointer(_:) is only called with indices < count (the pool's free list).
final class BufferRegion: @unchecked Sendable {
    /// The largest single buffer the kernel registers (1 GiB).
    static let maximumBufferSize = 1 << 30
    /// The most buffers one registration may hold (IORING_MAX_REG_BUFFERS).
    static let maximumBufferCount = 1 << 14

    let base: UnsafeMutableRawPointer
    let count: Int
    /// Usable bytes per buffer, as configured.
    let size: Int
    /// Distance between buffers: `size` rounded up to the page size.
    let stride: Int
    let byteCount: Int
    let iovecs: UnsafeMutablePointer<iovec>
    private let ownsMapping: Bool

    /// Maps `count` buffers of `size` bytes.
    ///
    /// - Throws: `RingIOError` `.bufferTooLarge` / `.invalidArgument` before any syscall, or `.system` (ENOMEM) from mmap.
    convenience init(count: Int, size: Int) throws(RingIOError) {
        try BufferRegion.validate(count: count, size: size)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let stride = (size + page - 1) / page * page
        let (byteCount, overflow) = stride.multipliedReportingOverflow(by: count)
        guard !overflow else {
            throw .invalidArgument(.registerBuffers, "count × size overflows; use fewer or smaller buffers")
        }
        // Safety: mmap gets no pointer argument (nil hint, fd -1, MAP_ANONYMOUS); the result is checked against MAP_FAILED before use.
        let mapped = unsafe mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped = unsafe mapped, unsafe mapped != MAP_FAILED else {
            throw RingIOError(
                code: .system, errno: Errno(rawValue: ringio_errno()), operation: .registerBuffers,
                hint: "mmap of \(byteCount) bytes for the buffer pool failed; use a smaller pool")
        }
        // Safety: mapped is a fresh mapping of byteCount = count * stride bytes, which this region owns (ownsMapping) and unmaps in deinit.
        unsafe self.init(base: mapped, count: count, size: size, stride: stride, byteCount: byteCount, ownsMapping: true)
    }

    /// Wraps memory the caller mapped (tests use it to offer file-backed memory); not unmapped here.
    ///
    /// - Safety: `base` must stay mapped for `count * stride` bytes for the region's lifetime.
    convenience init(unsafeMapping base: UnsafeMutableRawPointer, count: Int, size: Int, stride: Int) {
        // Safety: the caller guarantees base stays mapped for count * stride bytes while the region lives (the - Safety contract above).
        unsafe self.init(base: base, count: count, size: size, stride: stride, byteCount: count * stride, ownsMapping: false)
    }

    private init(base: UnsafeMutableRawPointer, count: Int, size: Int, stride: Int, byteCount: Int, ownsMapping: Bool) {
        // Safety: only stores the pointer; both callers pass memory mapped for byteCount bytes that stays mapped until deinit.
        unsafe self.base = unsafe base
        self.count = count
        self.size = size
        self.stride = stride
        self.byteCount = byteCount
        self.ownsMapping = ownsMapping
        // Safety: count iovecs (a trivial C struct), every one written by the loop below before any use; freed once in deinit.
        unsafe self.iovecs = .allocate(capacity: count)
        for index in 0..<count {
            // Safety: index < count, inside the mapping of count * stride bytes.
            unsafe iovecs[index] = unsafe iovec(iov_base: base + index * stride, iov_len: size)
        }
    }

    /// The start of buffer `index`.
    @inline(__always)
    // Safety: callers pass index < count (from the pool's free list), so the address lies inside the region.
    func pointer(_ index: Int) -> UnsafeMutableRawPointer { unsafe base + index * stride }

    /// Checks a pool shape against the kernel's limits without asking the kernel.
    static func validate(count: Int, size: Int, for operation: Operation = .registerBuffers) throws(RingIOError) {
        guard size <= maximumBufferSize else {
            throw RingIOError(
                code: .bufferTooLarge, errno: .invalidArgument, operation: operation,
                hint: "A registered buffer may be at most 1 GiB (1073741824 bytes), and \(size) bytes were asked for; use more, smaller buffers")
        }
        guard size > 0 else {
            throw .invalidArgument(operation, "Buffer size must be at least 1 byte (got \(size))")
        }
        guard count > 0 && count <= maximumBufferCount else {
            throw .invalidArgument(operation, "Buffer count must be between 1 and \(maximumBufferCount) (got \(count))")
        }
    }

    deinit {
        // Safety: no lease (so no kernel I/O) refers to the region any more; iovecs came from allocate in init and the mapping is unmapped
        // only if init(count:size:) mmapped it, each exactly once.
        unsafe iovecs.deallocate()
        if ownsMapping {
            unsafe munmap(base, byteCount)
        }
    }
}
