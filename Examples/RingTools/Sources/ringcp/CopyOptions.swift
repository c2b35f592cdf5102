import ArgumentParser

/// ringcp's command line: what to copy where, and the shape of the READ_FIXED/WRITE_FIXED pipeline.
///
/// Parsed with swift-argument-parser (which prints `--help` and usage errors, exit code 64 for
/// the latter); the copy itself is started by `RingCP.main`, not by `run()`.
struct CopyOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringcp",
        abstract: "Copy a file through io_uring, with registered buffers (READ_FIXED / WRITE_FIXED).",
        discussion: """
            Several chunks are in flight at once: reads ahead into registered buffers, and writes \
            of the chunks already read at the same offsets of a temporary file in the destination \
            directory (.NAME.ringcp-XXXXXX). After an fsync the temporary file is renamed to DST; \
            on any failure it is removed and nothing appears under DST. A DST that is a symbolic \
            link is written through (the link stays, its target is replaced); a DST that is a FIFO, \
            socket or device is refused. Permission bits are copied \
            from SRC. Holes of sparse files are kept where SEEK_DATA/SEEK_HOLE report them, in \
            units of --buffer-size; the copy is byte-identical either way.
            """)

    @Argument(help: "The regular file to copy (FIFOs, sockets and devices are refused).")
    var source: String

    @Argument(help: "The destination file, or an existing directory to copy into under SRC's name.")
    var destination: String

    @Option(name: .customLong("buffer-size"), help: "Bytes per registered buffer and per read/write, a multiple of 4096 (K, M suffixes).")
    var bufferSize = ByteCount(256 << 10)

    @Option(help: "Registered buffers in the pool (at most 1024, and at most 1 GiB with --buffer-size).")
    var buffers = 8

    @Option(name: .customLong("in-flight"), help: "Chunks in flight at once (at most --buffers; default: --buffers).")
    var inFlight: Int?

    @Flag(help: "Open both files with O_DIRECT (bypass the page cache); the unaligned tail is padded, then cut with ftruncate.")
    var direct = false

    @Flag(name: [.short, .long], help: "Print neither the progress bar nor the summary line.")
    var quiet = false

    /// Refuses shapes the pipeline cannot use, with a message saying what is allowed.
    ///
    /// - Throws: `ValidationError` (ArgumentParser prints it with the usage, exit code 64).
    func validate() throws {
        guard bufferSize.bytes >= 4096, bufferSize.bytes <= 64 << 20, bufferSize.bytes % 4096 == 0 else {
            throw ValidationError("--buffer-size must be a multiple of 4096 between 4K and 64M (got \(bufferSize.bytes) bytes)")
        }
        guard buffers >= 1, buffers <= 1024 else {
            throw ValidationError("--buffers must be between 1 and 1024 (got \(buffers))")
        }
        // The pool is allocated up front and registered buffers are pinned in memory.
        guard buffers * bufferSize.bytes <= Self.maximumPoolBytes else {
            throw ValidationError(
                "--buffers × --buffer-size must not exceed \(Formatting.bytes(Int64(Self.maximumPoolBytes), decimals: 0)) of buffer memory in total "
                    + "(got \(buffers) × \(bufferSize) = \(Formatting.bytes(Int64(buffers * bufferSize.bytes)))); use fewer or smaller buffers")
        }
        if let inFlight, inFlight < 1 || inFlight > buffers {
            throw ValidationError("--in-flight must be between 1 and --buffers (\(buffers)) (got \(inFlight))")
        }
        guard !source.isEmpty, !destination.isEmpty else {
            throw ValidationError("SRC and DST must not be empty")
        }
    }

    /// The most buffer memory the pool may have (count × size): 1 GiB.
    static let maximumPoolBytes = 1 << 30

    /// The validated request, as a plain value the copy can carry across tasks.
    var request: CopyRequest {
        CopyRequest(
            source: source, destination: destination, bufferSize: bufferSize.bytes, bufferCount: buffers,
            inFlight: inFlight ?? buffers, direct: direct, quiet: quiet)
    }
}

/// What to copy and how, taken from `CopyOptions` once they are validated.
struct CopyRequest: Sendable {
    /// SRC as given.
    var source: String
    /// DST as given (a file path, or an existing directory).
    var destination: String
    /// Bytes per registered buffer (a multiple of 4096).
    var bufferSize: Int
    /// Registered buffers to ask for (the pool may get fewer under a small RLIMIT_MEMLOCK).
    var bufferCount: Int
    /// Chunks in flight at once.
    var inFlight: Int
    /// Open both files with O_DIRECT.
    var direct: Bool
    /// No progress bar, no summary.
    var quiet: Bool
}
