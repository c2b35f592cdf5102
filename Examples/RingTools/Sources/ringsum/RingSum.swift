import Glibc
import RingIO
import ToolSupport

/// ringsum FILE…: SHA-256 checksums in sha256sum's format, read through io_uring.
///
/// Exit status: 0 when every input was hashed; 1 when any could not be read (each is reported on
/// stderr as "ringsum: NAME: reason" and the rest are still hashed), on a write error, or on a
/// usage error.
@main
enum RingSum {
    static func main() async {
        let closed = StandardDescriptors.reserve()
        let request: SumRequest
        switch SumArguments.parse(CommandLineBytes.arguments()) {
        case .help:
            exit(finishOutput(written: writeAll(1, SumArguments.helpText), closed: closed))
        case .version:
            exit(finishOutput(written: writeAll(1, SumArguments.versionText), closed: closed))
        case .usageError(let message):
            StandardError.print(bytes: Array("ringsum: ".utf8) + message + Array("\nTry 'ringsum --help' for more information.".utf8))
            exit(1)
        case .hash(let parsed):
            request = parsed
        }

        let executor: RingExecutor
        do {
            executor = try RingExecutor(configuration: .init(entries: 64, buffers: .init(count: 8, size: 256 << 10)))
        } catch {
            StandardError.print("ringsum: cannot start the io_uring executor: \(error)")
            exit(1)
        }
        // Chunks in flight while one is hashed; the pool may be smaller than asked (RLIMIT_MEMLOCK).
        let digester = Digester(readAhead: max(1, min(4, executor.buffers.count - 1)))
        var status: Int32
        let writeError: Int32?
        do {
            (status, writeError) = try await executor.run { try await hashAll(request, with: digester, on: executor) }
        } catch {
            StandardError.print("ringsum: \(error)")
            (status, writeError) = (1, nil)
        }
        await executor.shutdown()
        // sha256sum closes stdin at the end when it read it, and so reports a stdin that was
        // closed from the start; then (at exit) a failed write to stdout.
        if closed.standardInput && request.files.contains([UInt8(ascii: "-")]) {
            StandardError.print("ringsum: standard input: \(errnoText(EBADF))")
            status = 1
        }
        if finishOutput(written: writeError, closed: closed) != 0 { status = 1 }
        exit(status)
    }

    /// Hashes each input in order and prints its line as soon as it is known.
    ///
    /// After a failed write to stdout the remaining inputs are still hashed (and failures to read
    /// them reported), but nothing more is written; the caller then reports the write error, as
    /// sha256sum does when stdio flushes its buffer at exit.
    ///
    /// - Parameters:
    ///   - request: the inputs (`-` is stdin) and the mode.
    ///   - digester: how to hash.
    ///   - executor: the ring.
    /// - Returns: the exit status (0, or 1 when an input failed) and the errno of the first failed
    ///   write to stdout, if any.
    /// - Note: issues IORING_OP_OPENAT, IORING_OP_STATX, IORING_OP_READ_FIXED and IORING_OP_CLOSE per input.
    static func hashAll(_ request: SumRequest, with digester: Digester, on executor: RingExecutor) async throws -> (Int32, Int32?) {
        var status: Int32 = 0
        var writeError: Int32?
        for name in request.files {
            let digest: [UInt8]
            do throws(InputFailure) {
                let input = try await InputFile.open(name, on: executor)
                do throws(InputFailure) {
                    digest = try await digester.digest(of: input)
                } catch {
                    try? await input.file.close()
                    throw error
                }
                try? await input.file.close()
            } catch {
                StandardError.print(bytes: Array("ringsum: ".utf8) + ShellQuoting.quote(name) + Array(": \(error.reason)".utf8))
                status = 1
                continue
            }
            if writeError == nil {
                writeError = writeAll(1, ChecksumLine.make(digest: digest, name: name, binary: request.binary))
            }
        }
        return (status, writeError)
    }

    /// Reports a failed write to stdout the way coreutils' close_stdout does: "write error", with
    /// the reason only when stdout was closed from the start (then closing it fails with EBADF;
    /// after ENOSPC, EPIPE, EIO the close succeeds and coreutils prints no reason).
    ///
    /// - Parameters:
    ///   - written: the errno of the failed write, or nil when every write succeeded.
    ///   - closed: which standard descriptors were closed at start.
    /// - Returns: the exit status: 1 after a write error, else 0.
    static func finishOutput(written: Int32?, closed: StandardDescriptors) -> Int32 {
        guard written != nil else { return 0 }
        StandardError.print("ringsum: write error" + (closed.standardOutput ? ": \(errnoText(EBADF))" : ""))
        return 1
    }
}
