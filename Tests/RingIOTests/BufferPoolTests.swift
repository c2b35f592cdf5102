import Glibc
import RingIO
import Testing

@Suite("Buffer pool and leases")
struct BufferPoolTests {
    @Test func leasesArePageAlignedAndDistinct() async throws {
        try await Support.withExecutor(count: 4, size: 5000) { executor in
            var addresses: Set<UInt> = []
            var leases: [Int] = []
            for _ in 0..<4 {
                var lease = try await executor.buffers.lease()
                #expect(lease.capacity == 5000)
                let address = lease.withUnsafeMutableBytes { UInt(bitPattern: $0.baseAddress) }
                #expect(address % 4096 == 0)
                addresses.insert(address)
                leases.append(lease.index)
                _ = consume lease
            }
            // Returned buffers are reused, so fewer distinct addresses than leases is fine; all are aligned.
            #expect(!addresses.isEmpty)
            #expect(executor.buffers.available == 4)
        }
    }

    @Test func tryLeaseReturnsNilWhenAllBuffersAreOut() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let first = executor.buffers.tryLease()
            let second = executor.buffers.tryLease()
            let firstCapacity = Support.capacity(of: first)
            let secondCapacity = Support.capacity(of: second)
            #expect(firstCapacity == 4096 && secondCapacity == 4096)
            let third = Support.isPresent(executor.buffers.tryLease())
            #expect(!third)
            #expect(executor.buffers.available == 0)
            _ = consume first
            #expect(executor.buffers.available == 1)
            let leasedAgain = Support.isPresent(executor.buffers.tryLease())
            #expect(leasedAgain)
            _ = consume second
            #expect(executor.buffers.available == 2)
        }
    }

    @Test func leaseBeyondPoolWaitsAndGetsTheFirstBufferReturned() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let a = try await executor.buffers.lease()
            let b = try await executor.buffers.lease()
            let returnedIndex = a.index
            let waiter = Task { () -> Int in
                let lease = try await executor.buffers.lease()
                return lease.index
            }
            #expect(await Support.waitUntil { executor.buffers.waitingCount == 1 })
            #expect(executor.buffers.available == 0)
            _ = consume a
            let got = try await waiter.value
            #expect(got == returnedIndex)
            _ = consume b
            #expect(executor.buffers.available == 2)
        }
    }

    @Test func waitersAreServedInFIFOOrder() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let held = try await executor.buffers.lease()
            let order = OrderLog()
            var waiters: [Task<Void, any Error>] = []
            for id in 0..<5 {
                waiters.append(Task {
                    let lease = try await executor.buffers.lease()
                    await order.append(id)
                    _ = consume lease
                })
                // Queue them in a known order: the next one starts once this one waits.
                #expect(await Support.waitUntil { executor.buffers.waitingCount == id + 1 })
            }
            _ = consume held
            for waiter in waiters { try await waiter.value }
            #expect(await order.values == [0, 1, 2, 3, 4])
        }
    }

    @Test func cancellingAWaitingLeaseThrowsAndLosesNoBuffer() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let held = try await executor.buffers.lease()
            let waiter = Task { () -> Int in
                let lease = try await executor.buffers.lease()
                return lease.index
            }
            #expect(await Support.waitUntil { executor.buffers.waitingCount == 1 })
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            _ = consume held
            #expect(executor.buffers.available == 1)
            let leasedAgain = Support.isPresent(executor.buffers.tryLease())
            #expect(leasedAgain)
        }
    }

    @Test func leaseDroppedOnAnotherThreadReturnsToThePool() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            try await Task.detached {
                let lease = try await executor.buffers.lease()
                #expect(executor.buffers.available == 1)
                _ = consume lease
            }.value
            #expect(executor.buffers.available == 2)
        }
    }

    @Test func reregisterSwapsBuffersAfterOutstandingLeasesReturn() async throws {
        try await Support.withFile(Support.bytes(count: 100_000, seed: 21)) { path, expected in
            try await Support.withExecutor(count: 2, size: 4096) { executor in
                let outstanding = try await executor.buffers.lease()
                let swap = Task { try await executor.buffers.reregister(count: 3, size: 16384) }
                #expect(await Support.waitUntil { executor.buffers.isReregistering })
                #expect(executor.buffers.bufferSize == 4096, "the swap waits for the outstanding lease")
                let leasedWhileDraining = Support.isPresent(executor.buffers.tryLease())
                #expect(!leasedWhileDraining, "no new leases while draining")
                _ = consume outstanding
                try await swap.value
                #expect(executor.buffers.count == 3)
                #expect(executor.buffers.bufferSize == 16384)
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    #expect(lease.capacity == 16384)
                    #expect(try await file.read(into: &lease, at: 1234) == 16384)
                    #expect(lease.bytes == Array(expected[1234..<(1234 + 16384)]))
                    try await file.close()
                }
            }
        }
    }

    @Test func reregisterRefusesABufferOver1GiBBeforeAskingTheKernel() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let error = await #expect(throws: RingIOError.self) {
                try await executor.buffers.reregister(count: 1, size: (1 << 30) + 1)
            }
            #expect(error?.code == .bufferTooLarge)
            #expect(executor.buffers.bufferSize == 4096, "the old set stays in use")
            let leasedAgain = Support.isPresent(executor.buffers.tryLease())
            #expect(leasedAgain)
        }
    }

    @Test func copyFromCopiesTheBytesAndSetsCount() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            var lease = try await executor.buffers.lease()
            let payload = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            lease.copy(from: payload[10...])
            #expect(lease.count == 290)
            #expect(lease.bytes == Array(payload[10...]))
            _ = consume lease
        }
    }

    @Test func copyFromACollectionThatYieldsMoreThanItsCountTrapsInsteadOfWritingPastTheBuffer() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let executor = try Support.makeExecutor(count: 1, size: 4096)
            var lease = try await executor.buffers.lease()
            // Claims 1 byte, yields 8192: more than the 4096-byte buffer.
            lease.copy(from: UnderstatedBytes(claimed: 1, actual: 8192))
        }
        // The precondition's message, not some other failure (such as the executor not starting).
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("yielded more than its count"), "\(message)")
    }
}

actor OrderLog {
    var values: [Int] = []
    func append(_ value: Int) { values.append(value) }
}

/// A collection whose `count` is smaller than what iterating it yields (a broken conformance).
private struct UnderstatedBytes: Collection {
    let claimed: Int
    let actual: Int
    var startIndex: Int { 0 }
    var endIndex: Int { actual }
    var count: Int { claimed }
    subscript(position: Int) -> UInt8 { 0xAB }
    func index(after i: Int) -> Int { i + 1 }
}
