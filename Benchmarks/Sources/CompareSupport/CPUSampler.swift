import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// User and system CPU seconds of this process (all its threads, including io_uring's kernel
/// workers, which belong to the process) between the window's start and end.
///
/// A separate thread sleeps until each edge of the window and reads `getrusage(RUSAGE_SELF)`, so
/// the workers never look at the clock for it.
public final class CPUSampler: @unchecked Sendable {
    // Safety: `user`/`system` are written by the sampler thread before it signals `done`, and read
    // only after `wait()` returned.
    private var user = 0.0
    private var system = 0.0
    private let done = DispatchSemaphore(value: 0)

    public init(window: Window) {
        let thread = Thread { [self] in
            Self.sleep(until: window.start)
            let before = Self.usage()
            Self.sleep(until: window.end)
            let after = Self.usage()
            user = after.user - before.user
            system = after.system - before.system
            done.signal()
        }
        thread.start()
    }

    /// Waits for the end of the window and returns (user, system) CPU seconds spent inside it.
    public func wait() -> (user: Double, system: Double) {
        done.wait()
        return (user, system)
    }

    private static func sleep(until deadline: UInt64) {
        while true {
            let now = nanosecondsNow()
            if now >= deadline { return }
            let left = deadline - now
            var request = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
            _ = nanosleep(&request, nil)
        }
    }

    private static func usage() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }
}
