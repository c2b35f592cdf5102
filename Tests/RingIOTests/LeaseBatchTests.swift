import Glibc
import RingIO
import Testing

/// `BufferPool.lease(count:)`: several leases granted together (all or nothing, FIFO), held in one
/// `LeaseBatch`, and vectored reads and writes over them, checked byte for byte against pread/pwrite.
@Suite("Lease batches and vectored I/O over them")
struct LeaseBatchTests {
    @Test func aBatchHoldsDistinctBuffersAndGivesThemAllBackWhenDropped() async throws {
        try await Support.withExecutor(count: 6, size: 4096) { executor in
            let batch = try await executor.buffers.lease(count: 4)
            #expect(batch.count == 4)
            #expect(Set(batch.indices.map { batch[$0].index }).count == 4)
            #expect(batch.indices.allSatisfy { batch[$0].count == 0 && batch[$0].capacity == 4096 })
            #expect(batch.byteCapacity == 4 * 4096)
            #expect(executor.buffers.available == 2)
            _ = consume batch
            #expect(executor.buffers.available == 6)
        }
    }

    @Test func aVectoredReadFillsTheLeasesInOrderWithTheFilesBytes() async throws {
        // 2.5 buffers of data from offset 1000: two full leases, one half full, one empty.
        let expected = Support.bytes(count: 1000 + 8192 + 2048, seed: 71)
        try await Support.withFile(expected) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var batch = try await executor.buffers.lease(count: 4)
                    let n = try await file.read(into: &batch, at: 1000)
                    #expect(n == 8192 + 2048)
                    #expect(batch.indices.map { batch[$0].count } == [4096, 4096, 2048, 0])
                    #expect(batch.byteCount == n)
                    var got: [UInt8] = []
                    for position in batch.indices { got += batch[position].bytes }
                    #expect(got == Array(expected[1000...]))
                    try await file.close()
                }
            }
        }
    }

    @Test func aVectoredWriteSendsEachLeasesValidBytesInOrder() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let path = directory + "/records.bin"
        let records = (0..<3).map { Support.bytes(count: 1000 + 700 * $0, seed: 72 + UInt64($0)) }
        try await Support.withExecutor(count: 4, size: 4096) { executor in
            try await executor.run {
                let file = try await File.open(path, mode: .writeOnly, options: [.create, .truncate], on: executor)
                var batch = try await executor.buffers.lease(count: 4)
                // Records packed one per lease, the last lease left empty (skipped).
                for (position, record) in records.enumerated() { batch[position].append(contentsOf: record) }
                #expect(try await file.write(from: batch, at: 100) == records.joined().count)
                try await file.close()
            }
        }
        #expect(Support.preadFile(path) == [UInt8](repeating: 0, count: 100) + Array(records.joined()))
    }

    @Test func aLeaseTakenOutOfABatchIsUsableOnItsOwnAndLeavesTheRest() async throws {
        try await Support.withExecutor(count: 3, size: 4096) { executor in
            var batch = try await executor.buffers.lease(count: 3)
            let lastIndex = batch[2].index
            guard var last = batch.removeLast() else { Issue.record("no lease"); return }
            #expect(last.index == lastIndex)
            #expect(batch.count == 2)
            last.append(contentsOf: [1, 2, 3])
            #expect(last.bytes == [1, 2, 3])
            _ = consume last
            #expect(executor.buffers.available == 1, "the lease taken out went back on its own")
            _ = batch.removeLast()
            _ = batch.removeLast()
            let emptied = batch.isEmpty
            #expect(emptied)
            #expect(Support.isPresent(batch.removeLast()) == false)
            #expect(executor.buffers.available == 3)
        }
    }

    @Test func anEmptyBatchRefusesVectoredIOWithEINVAL() async throws {
        try await Support.withFile(Support.bytes(count: 4096, seed: 73)) { path, _ in
            try await Support.withExecutor(count: 1, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var batch = try await executor.buffers.lease(count: 1)
                    _ = batch.removeLast()
                    let error = await #expect(throws: RingIOError.self) { try await file.read(into: &batch, at: 0) }
                    #expect(error?.errno == .invalidArgument)
                    #expect(error?.description.contains("Between 1 and 1024 buffers") == true, "\(String(describing: error))")
                    try await file.close()
                }
            }
        }
    }

    @Test func batchSizesThatCanNeverBeGrantedAreRefusedWithEINVAL() async throws {
        try await Support.withExecutor(count: 4, size: 4096) { executor in
            for count in [0, -1, 5] {
                let error = await #expect(throws: RingIOError.self) { _ = try await executor.buffers.lease(count: count) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.errno == .invalidArgument)
                #expect(error?.operation == .lease)
            }
            #expect(executor.buffers.available == 4)
        }
    }

    @Test func aBatchWaitsUntilAllItWantsIsFreeAndLaterLeasesWaitBehindIt() async throws {
        try await Support.withExecutor(count: 4, size: 4096) { executor in
            let pool = executor.buffers
            var held = try await pool.lease(count: 3)   // 1 free
            let order = OrderLog()
            let batchWaiter = Task {
                let batch = try await pool.lease(count: 3)
                await order.append(0)
                _ = consume batch
            }
            #expect(await Support.waitUntil { pool.waitingCount == 1 })
            let singleWaiter = Task {
                let lease = try await pool.lease()
                await order.append(1)
                _ = consume lease
            }
            #expect(await Support.waitUntil { pool.waitingCount == 2 })
            // One buffer was free all along, and it stays free: the single lease queued behind the batch.
            #expect(pool.available == 1)
            _ = held.removeLast()   // 2 free: still not the batch's 3
            #expect(pool.available == 2 && pool.waitingCount == 2)
            _ = consume held        // 4 free: the batch, then the single lease
            try await batchWaiter.value
            try await singleWaiter.value
            #expect(await order.values == [0, 1])
            #expect(pool.available == 4)
        }
    }

    @Test func cancellingABatchAtTheHeadServesTheWaitersBehindIt() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let pool = executor.buffers
            let held = try await pool.lease()   // 1 free
            let batchWaiter = Task { _ = try await pool.lease(count: 2) }
            #expect(await Support.waitUntil { pool.waitingCount == 1 })
            let singleWaiter = Task { () -> Int in try await pool.lease().capacity }
            #expect(await Support.waitUntil { pool.waitingCount == 2 })
            batchWaiter.cancel()
            await #expect(throws: CancellationError.self) { try await batchWaiter.value }
            #expect(try await singleWaiter.value == 4096, "the free buffer went to the single lease")
            _ = consume held
            #expect(pool.available == 2)
        }
    }

    @Test func shutdownFailsAWaitingBatchAndLosesNoBuffer() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        let held = try await executor.buffers.lease()
        let batchWaiter = Task { _ = try await executor.buffers.lease(count: 2) }
        #expect(await Support.waitUntil { executor.buffers.waitingCount == 1 })
        await executor.shutdown()
        let error = await #expect(throws: RingIOError.self) { try await batchWaiter.value }
        #expect(error?.code == .shutDown)
        _ = consume held
    }

    @Test func aReregisterThatShrinksThePoolBelowAWaitingBatchFailsIt() async throws {
        try await Support.withExecutor(count: 3, size: 4096) { executor in
            let pool = executor.buffers
            let held = try await pool.lease(count: 2)
            let batchWaiter = Task { _ = try await pool.lease(count: 3) }
            #expect(await Support.waitUntil { pool.waitingCount == 1 })
            let reregister = Task { try await pool.reregister(count: 2, size: 4096) }
            #expect(await Support.waitUntil { pool.isReregistering })
            _ = consume held
            try await reregister.value
            let error = await #expect(throws: RingIOError.self) { try await batchWaiter.value }
            #expect(error?.code == .invalidArgument)
            #expect(error?.description.contains("now has 2 buffers") == true, "\(String(describing: error))")
            #expect(pool.available == 2)
        }
    }
}
