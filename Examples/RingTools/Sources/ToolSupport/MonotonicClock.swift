import Glibc

/// Seconds on CLOCK_MONOTONIC, for measuring how long a tool took and pacing progress output.
public enum MonotonicClock {
    /// The current monotonic time in seconds (arbitrary origin; only differences mean anything).
    public static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
