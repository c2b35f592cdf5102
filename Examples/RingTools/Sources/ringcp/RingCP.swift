import Glibc
import RingIO
import ToolSupport

/// ringcp SRC DST: copies a file through io_uring with registered buffers.
///
/// Exit status: 0 after a complete copy; 1 when the copy failed (the message on stderr says what,
/// where and why); 64 for usage errors (from swift-argument-parser).
@main
enum RingCP {
    static func main() async {
        let options = CopyOptions.parseOrExit()
        let request = options.request
        let started = MonotonicClock.seconds()
        let executor: RingExecutor
        do {
            executor = try RingExecutor(configuration: .init(
                entries: 64, buffers: .init(count: request.bufferCount, size: request.bufferSize)))
        } catch {
            StandardError.print("ringcp: cannot start the io_uring executor: \(error)")
            exit(1)
        }
        let outcome: Result<CopyResult, any Error>
        do {
            let job = CopyJob(request: request, executor: executor)
            outcome = .success(try await executor.run { try await job.run() })
        } catch {
            outcome = .failure(error)
        }
        await executor.shutdown()

        switch outcome {
        case .success(let result):
            if !request.quiet {
                let seconds = MonotonicClock.seconds() - started
                var line = "ringcp: \(quoted(request.source)) -> \(quoted(result.destination)): \(result.size) bytes in "
                    + Formatting.fixed(seconds, 3) + " s, " + Formatting.rate(result.size, seconds)
                if result.dataBytes < result.size {
                    line += " (\(result.dataBytes) bytes of data; holes kept)"
                }
                writeAll(1, line + "\n")
            }
            exit(0)
        case .failure(let error):
            StandardError.print("ringcp: \(error)")
            exit(1)
        }
    }
}
