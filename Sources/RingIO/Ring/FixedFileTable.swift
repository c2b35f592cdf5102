internal import CRingIO

/// The ring's sparse table of registered ("fixed") files and which of its slots are free.
///
/// A registered file lets SQEs name the file by slot (IOSQE_FIXED_FILE), so the kernel skips the
/// per-request file-descriptor lookup and reference count. Loop-confined: not `Sendable`.
final class FixedFileTable {
    private let ring: Ring
    private var free: [Int32]

    /// Registers `count` empty slots (io_uring_register_files_sparse); nil if the kernel refuses.
    init?(ring: Ring, count: Int) {
        guard count > 0, ring.registerSparseFiles(count: count) == 0 else { return nil }
        self.ring = ring
        self.free = (0..<Int32(count)).reversed()
    }

    /// Puts `fd` in a free slot; nil when the table is full or the update fails (the file then
    /// simply stays unregistered).
    func register(_ fd: Int32) -> Int32? {
        guard let slot = free.popLast() else { return nil }
        guard ring.updateFile(slot: slot, fd: fd) == 1 else {
            free.append(slot)
            return nil
        }
        return slot
    }

    /// Empties `slot` (the kernel drops its file reference once in-flight requests finish) and recycles it.
    func release(_ slot: Int32) {
        _ = ring.updateFile(slot: slot, fd: -1)
        free.append(slot)
    }

    /// Slots not in use.
    var freeCount: Int { free.count }
}

@available(*, unavailable)
extension FixedFileTable: Sendable {}
