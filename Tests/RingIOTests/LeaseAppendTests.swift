import Glibc
@testable import RingIO
import Testing

/// Packing bytes into a lease, and reading a lease's shape through an optional.
@Suite("Lease contents")
struct LeaseAppendTests {
    @Test func capacityAndIndexReadThroughAnOptionalLeaseWithoutConsumingIt() async throws {
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            var pending: BufferLease? = try await executor.buffers.lease()
            // Read through the optional without consuming it (`pending!.capacity` would consume it).
            let capacity = pending.capacity
            let count = pending.count
            let index = pending.index
                        #expect(capacity == 4096)
            #expect(count == 0)
            #expect(index == 0 || index == 1)
            pending!.count = 10  // a setter borrows through `!`
            #expect(pending.count == 10)
            #expect(Support.capacity(of: pending) == 4096, "still held after reading through it")
            #expect(executor.buffers.available == 1)
            pending = nil
            #expect(executor.buffers.available == 2)
            #expect(pending.capacity == nil && pending.index == nil && pending.count == nil)
        }
    }

    @Test func appendedRecordsAreWrittenAsPackedAndPreadFindsThem() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let path = directory + "/records"
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            let expected = try await executor.run { () -> [UInt8] in
                var lease = try await executor.buffers.lease()
                var expected: [UInt8] = []
                for record in 0..<50 {
                    let payload = Support.bytes(count: 7 + record, seed: UInt64(record))
                    let length = UInt16(payload.count).littleEndian
                    guard lease.freeCapacity >= 2 + payload.count else { break }
                    lease.append(bytesOf: length)
                    lease.append(contentsOf: payload)
                    expected += [UInt8(truncatingIfNeeded: payload.count), UInt8(truncatingIfNeeded: payload.count >> 8)] + payload
                }
                #expect(lease.count == expected.count)
                #expect(lease.freeCapacity == 4096 - expected.count)
                #expect(lease.bytes == expected)
                let file = try await File.open(path, mode: .writeOnly, options: [.create], on: executor)
                let written = try await file.write(from: lease, at: 0)
                #expect(written == expected.count)
                try await file.close()
                return expected
            }
            #expect(Support.preadFile(path) == expected)
        }
    }

    @Test func appendingAfterACopyContinuesWhereTheValidBytesEnd() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            var lease = try await executor.buffers.lease()
            lease.copy(from: [1, 2, 3])
            lease.append(contentsOf: [4, 5])
            lease.append(contentsOf: [UInt8]())
            #expect(lease.bytes == [1, 2, 3, 4, 5])
            lease.append(contentsOf: [UInt8](repeating: 6, count: lease.freeCapacity))
            #expect(lease.count == lease.capacity)
            #expect(lease.freeCapacity == 0)
        }
    }
}
