import CRingIO
import Glibc
@testable import RingIO
import Testing

/// What a descriptor is, and waiting for an observable state.
extension Support {
    /// What descriptor `fd` refers to (/proc/self/fd), or nil when it is not open. Comparing this
    /// before and after a close is safe while other tests run: a reused number points elsewhere.
    static func target(of fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The `eventfd-id` of descriptor `fd` (/proc/self/fdinfo), or nil when `fd` is not an open
    /// eventfd. Unique per eventfd, so a number reused by another test's eventfd does not match.
    static func eventFDID(_ fd: Int32) -> String? {
        let fdinfo = "/proc/self/fdinfo/\(fd)"
        let file = fopen(fdinfo, "r")
        guard let file else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if text.hasPrefix("eventfd-id:") { return text }
        }
        return nil
    }

    /// Polls `condition` every millisecond until it holds or `seconds` pass; returns whether it held.
    @discardableResult
    static func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        var waited = 0.0
        while !condition() {
            if waited >= seconds { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
            waited += 0.001
        }
        return true
    }

    /// Waits until `executor`'s loop has run what it was given and gone to sleep, so a request
    /// a task just prepared has reached the kernel (or a worker). Call after starting that task.
    @discardableResult
    static func waitUntilTheLoopSleeps(_ executor: RingExecutor) async -> Bool {
        await waitUntil { executor.core.mailbox.loopIsAsleep }
    }
}
