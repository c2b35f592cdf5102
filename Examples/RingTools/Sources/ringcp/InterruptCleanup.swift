import Glibc
import Synchronization

/// Removes the temporary file when ringcp is interrupted (SIGINT, SIGTERM, SIGHUP) before the
/// rename, then dies of the same signal, so an interrupted copy leaves nothing behind.
///
/// The handler only calls async-signal-safe functions: unlink(2), signal(2) and raise(3).
enum InterruptCleanup {
    /// The address of the temporary path as a C string while a copy is in progress, else 0 (an
    /// address, because `Atomic` of a pointer is not `Sendable`). Never freed once set (a handler
    /// might be using it); one short string per run.
    private static let pending = Atomic<Int>(0)

    /// The signals that trigger the cleanup.
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handlers and remembers `path` as the file to remove on a signal.
    ///
    /// - Parameter path: the temporary file's path.
    static func arm(_ path: String) {
        pending.store(Int(bitPattern: strdup(path)), ordering: .sequentiallyConsistent)
        for signal in signals {
            Glibc.signal(signal, handler)
        }
    }

    /// Forgets the path (after the rename, or after the file was removed) and restores the default
    /// signal dispositions.
    static func disarm() {
        for signal in signals {
            Glibc.signal(signal, SIG_DFL)
        }
        pending.store(0, ordering: .sequentiallyConsistent)
    }

    /// The signal handler: unlink the pending path, then re-raise with the default disposition.
    private static let handler: @convention(c) (Int32) -> Void = { signal in
        if let path = UnsafePointer<CChar>(bitPattern: InterruptCleanup.pending.load(ordering: .sequentiallyConsistent)) {
            unlink(path)
        }
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
    }
}
