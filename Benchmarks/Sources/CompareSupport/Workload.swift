/// The workloads of the comparison harness (`Benchmarks/compare`), the same for every system.
public enum Workload: String, Sendable, CaseIterable {
    /// 4 KiB reads at random 4 KiB-aligned offsets of a file in the page cache.
    case randread
    /// 4 KiB reads at random offsets with O_DIRECT, from the disk.
    case directread
    /// 128 KiB sequential reads of a file in the page cache (N readers share one cursor).
    case seqread
    /// 4 KiB writes at random 4 KiB-aligned offsets into the page cache (no fsync).
    case randwrite

    /// Bytes per operation.
    public var blockSize: Int {
        switch self {
        case .seqread: return 128 << 10
        case .randread, .directread, .randwrite: return 4 << 10
        }
    }

    /// True when the workload writes.
    public var isWrite: Bool { self == .randwrite }

    /// True when the file is opened with O_DIRECT.
    public var isDirect: Bool { self == .directread }

    /// True when offsets advance through the file instead of being drawn at random.
    public var isSequential: Bool { self == .seqread }
}

/// O_DIRECT, which Glibc's Swift overlay does not export (it needs _GNU_SOURCE).
public var openDirectFlag: Int32 {
    #if arch(arm64) || arch(arm)
    return 0o200000
    #else
    return 0o40000
    #endif
}
