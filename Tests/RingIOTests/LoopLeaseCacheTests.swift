import Glibc
@testable import RingIO
import Testing

/// The free buffers each loop of a group keeps for itself: counted as available, handed over when a
/// lease on another loop would wait, given back for a reregister, and never in the way of FIFO order.
@Suite("Per-loop lease caches")
struct LoopLeaseCacheTests {
    @Test func aBufferDroppedOnALoopStaysInItsCacheAndCountsAsAvailable() async throws {
        // 16 buffers over 2 loops: each loop keeps up to 2 (a quarter of the pool in all).
        try await Support.withGroup(loops: 2, count: 16, size: 4096) { group in
            #expect(group.buffers.caches.map(\.capacity) == [2, 2])
            let index = try await group.loops[1].run { () -> Int in
                let lease = try await group.buffers.lease()
                return lease.index
            }
            #expect(group.buffers.caches[1].count.load(ordering: .relaxed) == 1, "kept by the loop that dropped it")
            #expect(group.buffers.available == 16)
            // The same loop's next lease takes it back without the pool's lock.
            let again = try await group.loops[1].run { () -> Int in
                let lease = try await group.buffers.lease()
                return lease.index
            }
            #expect(again == index)
        }
    }

    @Test func aLeaseThatWouldWaitOnOneLoopGetsTheBuffersAnotherLoopKeeps() async throws {
        try await Support.withGroup(loops: 2, count: 4, size: 4096) { group in
            // Every buffer leased on loop 1 and dropped there: one stays in loop 1's cache.
            try await group.loops[1].run {
                let a = try await group.buffers.lease(), b = try await group.buffers.lease()
                let c = try await group.buffers.lease(), d = try await group.buffers.lease()
                // Dropped here, on loop 1, in reverse order as the scope ends.
                _ = (a.index, b.index, c.index, d.index)
            }
            #expect(group.buffers.caches[1].count.load(ordering: .relaxed) == 1)
            // Loop 0 wants all four: three are free, the fourth is in loop 1's cache.
            let indices = try await Self.withTimeout {
                try await group.loops[0].run { () -> Set<Int> in
                    let a = try await group.buffers.lease(), b = try await group.buffers.lease()
                    let c = try await group.buffers.lease(), d = try await group.buffers.lease()
                    return [a.index, b.index, c.index, d.index]
                }
            }
            #expect(indices == [0, 1, 2, 3])
            #expect(group.buffers.caches[1].count.load(ordering: .relaxed) == 0, "loop 1 gave its buffer back")
            #expect(await Support.waitUntil { group.buffers.available == 4 })
        }
    }

    @Test func whileCallersWaitABufferDroppedOnALoopGoesToTheLongestWaiter() async throws {
        try await Support.withGroup(loops: 2, count: 4, size: 4096) { group in
            // Four leases held on loop 1 (where the cache has room for a returned buffer).
            var holders: [HeldLease] = []
            for _ in 0..<4 { holders.append(try await HeldLease.take(on: group.loops[1], of: group)) }
            // Three waiters, on both loops, queued in a known order.
            var waiters: [HeldLease] = []
            for id in 0..<3 {
                waiters.append(HeldLease.start(on: group.loops[id % 2], of: group))
                #expect(await Support.waitUntil { group.buffers.waitingCount == id + 1 })
            }
            // Each buffer dropped on loop 1 goes to the longest waiter, not into loop 1's cache.
            for served in 0..<3 {
                try await holders[served].drop()
                try await LoopLeaseCacheTests.withTimeout { [waiter = waiters[served]] in try await waiter.leased() }
                #expect(group.buffers.waitingCount == 2 - served)
                #expect(group.buffers.caches[1].count.load(ordering: .relaxed) == 0)
            }
            for held in holders[3...] + waiters { try await held.drop() }
            #expect(await Support.waitUntil { group.buffers.available == 4 })
        }
    }

    @Test func aReregisterWaitsForNoCachedBufferAndEmptiesTheCaches() async throws {
        let expected = Support.bytes(count: 64 << 10, seed: 21)
        try await Support.withFile(expected) { path, expected in
            try await Support.withGroup(loops: 2, count: 8, size: 4096) { group in
                for loop in group.loops {
                    try await loop.run { _ = try await group.buffers.lease() }
                }
                #expect(group.buffers.caches.allSatisfy { $0.count.load(ordering: .relaxed) == 1 })
                try await Self.withTimeout { try await group.buffers.reregister(count: 8, size: 8192) }
                #expect(group.buffers.caches.allSatisfy { $0.count.load(ordering: .relaxed) == 0 })
                #expect(group.buffers.available == 8)
                let file = try await File.open(path, on: group)
                for loop in group.loops {
                    try await loop.run {
                        var lease = try await group.buffers.lease()
                        #expect(lease.capacity == 8192)
                        let n = try await file.read(into: &lease, at: 4096)
                        #expect(n == 8192)
                        #expect(lease.bytes == Array(expected[4096..<12288]))
                    }
                }
                try await file.close()
            }
        }
    }

    @Test func aLoneExecutorsPoolKeepsNoCaches() async throws {
        try await Support.withExecutor(count: 16, size: 4096) { executor in
            #expect(executor.buffers.caches.isEmpty)
            try await executor.run { _ = try await executor.buffers.lease() }
            #expect(executor.buffers.available == 16)
        }
    }

    /// Runs `body`, failing the test (by cancelling it) if it takes over 20 seconds: a buffer stuck in a
    /// cache would otherwise hang the run instead of failing it.
    static func withTimeout<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await body() }
            tasks.addTask {
                try? await Task.sleep(for: .seconds(20))
                return nil
            }
            defer { tasks.cancelAll() }
            guard let first = try await tasks.next(), let value = first else {
                Issue.record("timed out after 20 s")
                throw CancellationError()
            }
            return value
        }
    }
}

/// A lease held by a task on a given loop until `drop()`, so that the buffer goes back on that loop.
struct HeldLease: Sendable {
    private let task: Task<Void, any Error>
    private let hasLease: AsyncStream<Void>
    private let release: AsyncStream<Void>.Continuation

    /// Starts a task on `loop` that leases from the group's pool (it may wait) and holds the lease.
    static func start(on loop: RingExecutor, of group: RingExecutorGroup) -> HeldLease {
        let (hasLease, leased) = AsyncStream<Void>.makeStream()
        let (dropped, release) = AsyncStream<Void>.makeStream()
        let task = Task(executorPreference: loop) {
            defer { leased.finish() }
            let lease = try await group.buffers.lease()
            leased.yield()
            for await _ in dropped { break }
            // Back on `loop` after the wait: the lease ends on its thread.
            #expect(group.currentLoop === loop, "the lease ends on its loop")
            _ = consume lease
        }
        return HeldLease(task: task, hasLease: hasLease, release: release)
    }

    /// Leases on `loop` and returns once the lease is held.
    static func take(on loop: RingExecutor, of group: RingExecutorGroup) async throws -> HeldLease {
        let held = start(on: loop, of: group)
        try await held.leased()
        return held
    }

    /// Returns once the task holds its lease.
    func leased() async throws {
        for await _ in hasLease { return }
        try await task.value  // The lease failed: its error.
        throw CancellationError()
    }

    /// Drops the lease on its loop and waits for that.
    func drop() async throws {
        release.yield()
        release.finish()
        try await task.value
    }
}
