// `ringio-demo --check-global-executor PATH`: the group as Swift's global executor, checked in a
// process of its own (installing it is process-wide). Prints one `key=value` line per fact; the
// test suite (ExecutorGroupTests) runs it and checks each line, and the bytes' checksum against
// what it wrote to PATH itself.
import Glibc
import RingIO
import Synchronization

/// A counting semaphore for the main thread to wait on tasks with a deadline, not a sleep.
final class Signal: @unchecked Sendable {
    // Safety: a POSIX semaphore, made for use from many threads; lives as long as the object.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    init() { sem_init(semaphore, 0, 0) }
    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }
    func signal() { sem_post(semaphore) }
    /// Waits up to `seconds`; false on timeout.
    func wait(seconds: Int) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += seconds
        while true {
            if sem_timedwait(semaphore, &deadline) == 0 { return true }
            if errno != EINTR { return false }
        }
    }
}

/// State the check's tasks share.
final class Shared: Sendable {
    let loopsUsed = Mutex<Set<Int>>([])
    let stalledLoop = Mutex<Int?>(nil)
    let finishedElsewhere = Atomic<Int>(0)
}

/// FNV-1a, 64 bits: the checksum the test computes over the bytes it wrote.
struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
    }
}

/// Whether the current task is running on one of the group's loop threads, and which.
func loopIndex(_ group: RingExecutorGroup) -> Int? {
    guard let loop = group.currentLoop else { return nil }
    return group.loops.firstIndex { $0 === loop }
}

/// An actor with the default executor: under the installed group it runs on a loop too.
actor LoopCounter {
    var value = 0
    func increment(_ group: RingExecutorGroup) -> Bool {
        value += 1
        return group.currentLoop != nil
    }
}

/// Reads the whole file in 4 KiB READ_FIXED calls from the calling task, counting how often it
/// was not on a loop thread after an `await`.
func readWholeFile(_ path: String, _ group: RingExecutorGroup) async throws -> (checksum: UInt64, reads: Int, offLoop: Int) {
    let file = try await File.open(path, on: group)
    var lease = try await group.buffers.lease()
    var checksum = FNV1a()
    var (offset, reads, offLoop) = (Int64(0), 0, 0)
    while true {
        let count = try await file.read(into: &lease, range: 0..<4096, at: offset)
        if group.currentLoop == nil { offLoop += 1 }
        if count == 0 { break }
        lease.withUnsafeBytes { checksum.add(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        offset += Int64(count)
        reads += 1
    }
    try await file.close()
    return (checksum.value, reads, offLoop)
}

func report(_ key: String, _ value: Any) { print("\(key)=\(value)") }

func checkGlobalExecutor(path: String, loops: Int, policy: RingExecutorConfiguration.Policy) async {
    let configuration = RingExecutorGroup.Configuration(loops: loops, executor: .init(buffers: .init(count: 8, size: 4096), policy: policy))
    let group: RingExecutorGroup
    do {
        group = try RingExecutorGroup(configuration: configuration)
    } catch {
        fail("\(error)")
    }
    report("backend", group.capabilities[0].backend)
    do {
        try group.unsafeInstallAsGlobalConcurrentExecutor()
    } catch {
        // The public-API build: nothing more to check.
        report("installed", "\(error.code): \(error)")
        await group.shutdown()
        return
    }
    report("installed", group.isGlobalConcurrentExecutor)
    do {
        try group.unsafeInstallAsGlobalConcurrentExecutor()
        report("secondInstall", "accepted")
    } catch {
        report("secondInstall", "\(error.code)")
    }

    // An ordinary task (no preference, not in `run`): on a loop from its first job, and its I/O
    // resumes it there.
    let whole = await Task.detached { () -> String in
        let startedOnLoop = group.currentLoop != nil
        do {
            let result = try await readWholeFile(path, group)
            return "startedOnLoop=\(startedOnLoop) checksum=\(String(result.checksum, radix: 16)) reads=\(result.reads) offLoop=\(result.offLoop)"
        } catch {
            return "error=\(error)"
        }
    }.value
    print(whole)

    // Tasks created from outside the group spread over the loops; a default actor runs on one.
    let shared = Shared()
    await withTaskGroup(of: Void.self) { tasks in
        for _ in 0..<(4 * loops) {
            tasks.addTask { if let index = loopIndex(group) { shared.loopsUsed.withLock { _ = $0.insert(index) } } }
        }
    }
    report("loopsUsedByChildTasks", shared.loopsUsed.withLock { $0.count })
    let counter = LoopCounter()
    report("actorOnLoop", await counter.increment(group))
    // Informational: delayed jobs wait on Swift's own timer, so where does a task resume?
    let afterSleep = await Task.detached { () -> Bool in
        try? await Task.sleep(for: .milliseconds(1))
        return group.currentLoop != nil
    }.value
    report("afterSleepOnLoop", afterSleep)

    // One loop stalled by a blocking call: tasks on the other loops still do their I/O.
    if loops >= 2 {
        let blocked = Signal()
        let release = Signal()
        // Ordinary tasks go round-robin: start them until one lands on a loop, which it then blocks.
        let blocker = Task.detached {
            shared.stalledLoop.withLock { $0 = loopIndex(group) }
            blocked.signal()
            _ = release.wait(seconds: 30)  // the blocking call
        }
        guard blocked.wait(seconds: 10), let stalled = shared.stalledLoop.withLock({ $0 }) else { fail("the blocking task did not start on a loop") }
        let done = Signal()
        for _ in 0..<(2 * loops) {
            Task.detached {
                guard let index = loopIndex(group), index != stalled else { return }
                if (try? await readWholeFile(path, group)) != nil { shared.finishedElsewhere.add(1, ordering: .relaxed) }
                done.signal()
            }
        }
        // At least one task on another loop finishes its reads while the stalled loop is blocked.
        report("otherLoopsProgressWhileOneIsStalled", done.wait(seconds: 10) && shared.finishedElsewhere.load(ordering: .relaxed) >= 1)
        release.signal()
        await blocker.value
    }

    // Shutdown gives the global executor back to Swift's pool; later tasks still run.
    await group.shutdown()
    report("installedAfterShutdown", group.isGlobalConcurrentExecutor)
    let after = await Task.detached { group.currentLoop == nil ? "swiftsPool" : "aLoop" }.value
    report("taskAfterShutdown", after)
    do {
        _ = try await readWholeFile(path, group)
        report("readAfterShutdown", "succeeded")
    } catch let error as RingIOError {
        report("readAfterShutdown", "\(error.code)")
    } catch {
        report("readAfterShutdown", "\(error)")
    }

    // Another group may be installed once the first is shut down.
    do {
        let second = try RingExecutorGroup(configuration: configuration)
        try second.unsafeInstallAsGlobalConcurrentExecutor()
        let onLoop = await Task.detached { second.currentLoop != nil }.value
        report("secondGroupInstalled", second.isGlobalConcurrentExecutor && onLoop)
        await second.shutdown()
    } catch {
        report("secondGroupInstalled", "\(error)")
    }
}
