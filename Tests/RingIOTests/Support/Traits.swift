@testable import RingIO
import Testing

extension Trait where Self == ConditionTrait {
    /// For tests of what only io_uring can do (interrupting a blocked read, linked timeouts,
    /// registered files, …): skipped when the backend under test is the thread pool, whether
    /// chosen with `RINGIO_TEST_BACKEND=threadpool` or because this host has no io_uring.
    ///
    /// - Parameter why: what io_uring does here that blocking syscalls cannot.
    static func ioUringOnly(_ why: Comment) -> Self {
        .enabled(if: Support.testingIOURing, why)
    }

    /// For tests that set up io_uring themselves, whatever the backend under test (machine-wide
    /// settings, RLIMIT_MEMLOCK and registration): skipped on a host without io_uring.
    static var needsIOURingOnThisHost: Self {
        .enabled(if: Support.ioUringAvailable, "io_uring is not available on this machine")
    }
}
