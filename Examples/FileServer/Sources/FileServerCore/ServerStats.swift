import Synchronization

/// Counters for the `--stats-path` endpoint and the tests: files open right now and files opened.
public final class ServerStats: Sendable {
    private let openFiles = Atomic<Int>(0)
    private let filesOpened = Atomic<Int>(0)

    public init() {}

    /// Files the backend holds open now (opened and not yet closed).
    public var openFileCount: Int { openFiles.load(ordering: .relaxed) }
    /// Files opened since start.
    public var openedFileCount: Int { filesOpened.load(ordering: .relaxed) }

    /// Records that a file was opened.
    public func fileOpened() {
        openFiles.add(1, ordering: .relaxed)
        filesOpened.add(1, ordering: .relaxed)
    }

    /// Records that a file was closed.
    public func fileClosed() {
        openFiles.subtract(1, ordering: .relaxed)
    }
}

/// A one-shot flag: the first `claim()` returns true, every later one false (close-once logic).
public final class OnceFlag: Sendable {
    private let done = Atomic<Bool>(false)

    public init() {}

    /// True the first time only.
    public func claim() -> Bool {
        !done.exchange(true, ordering: .acquiringAndReleasing)
    }
}
