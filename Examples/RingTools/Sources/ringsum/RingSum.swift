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
        let names: [[UInt8]]
        switch SumArguments.parse(CommandLineBytes.arguments()) {
        case .help:
            writeAll(1, SumArguments.helpText)
            exit(0)
        case .usageError(let message):
            StandardError.print("ringsum: \(message)\nTry 'ringsum --help' for more information.")
            exit(1)
        case .files(let files):
            names = files
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
        let status: Int32
        do {
            status = try await executor.run { try await hashAll(names, with: digester, on: executor) }
        } catch {
            StandardError.print("ringsum: \(error)")
            status = 1
        }
        await executor.shutdown()
        exit(status)
    }

    /// Hashes each input in order and prints its line as soon as it is known.
    ///
    /// - Parameters:
    ///   - names: the inputs (`-` is stdin).
    ///   - digester: how to hash.
    ///   - executor: the ring.
    /// - Returns: the exit status: 0, or 1 when an input failed or stdout could not be written.
    /// - Note: issues IORING_OP_OPENAT, IORING_OP_STATX, IORING_OP_READ_FIXED and IORING_OP_CLOSE per input.
    static func hashAll(_ names: [[UInt8]], with digester: Digester, on executor: RingExecutor) async throws -> Int32 {
        var status: Int32 = 0
        for name in names {
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
            if let code = writeAll(1, ChecksumLine.make(digest: digest, name: name)) {
                StandardError.print("ringsum: write error: \(errnoText(code))")
                return 1
            }
        }
        return status
    }
}
