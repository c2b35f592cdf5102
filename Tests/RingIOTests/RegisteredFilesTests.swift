import Glibc
@testable import RingIO
import Testing

@Suite("Registered files", .ioUringOnly("registered files are an io_uring table"))
struct RegisteredFilesTests {
    static func freeSlots(_ executor: RingExecutor) async throws -> Int? {
        try await executor.run { executor.core.freeFileSlots }
    }

    @Test func openedFilesTakeSlotsUntilTheTableIsFullAndCloseRecyclesThem() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 71)) { path, expected in
            let executor = try RingExecutor(configuration: .init(entries: 16, buffers: .init(count: 4, size: 4096), registeredFiles: 2))
            #expect(try await Self.freeSlots(executor) == 2)
            try await executor.run {
                let a = try await File.open(path, on: executor)
                let b = try await File.open(path, on: executor)
                let c = try await File.open(path, on: executor)
                #expect(a.isRegistered && b.isRegistered)
                #expect(!c.isRegistered, "the table is full, so the third file stays unregistered")
                for file in [a, b, c] {
                    var lease = try await executor.buffers.lease()
                    #expect(try await file.read(into: &lease, at: 1000) == 4096)
                    #expect(lease.bytes == Array(expected[1000..<5096]))
                }
                #expect(executor.core.freeFileSlots == 0)
                try await a.close()
                #expect(!a.isRegistered)
                #expect(executor.core.freeFileSlots == 1)
                let d = try await File.open(path, on: executor)
                #expect(d.isRegistered, "the slot a gave back is reused")
                try await b.close()
                try await c.close()
                try await d.close()
            }
            #expect(try await Self.freeSlots(executor) == 2)
            await executor.shutdown()
        }
    }

    @Test func writesAndSyncThroughARegisteredFileReachTheDisk() async throws {
        try await Support.withFile([UInt8](repeating: 0, count: 8192)) { path, _ in
            try await Support.withExecutor { executor in
                let payload = Support.bytes(count: 3000, seed: 72)
                try await executor.run {
                    let file = try await File.open(path, mode: .readWrite, on: executor)
                    #expect(file.isRegistered)
                    var lease = try await executor.buffers.lease()
                    lease.copy(from: payload)
                    try await file.writeFully(from: lease, at: 100)
                    try await file.write([7, 7, 7], at: 5000)
                    try await file.dataSync()
                    try await file.truncate(to: 6000)
                    try await file.allocate(at: 0, length: 7000)
                    #expect(try await file.status().size == 7000)
                    try await file.close()
                }
                var expected = [UInt8](repeating: 0, count: 7000)
                expected.replaceSubrange(100..<3100, with: payload)
                expected.replaceSubrange(5000..<5003, with: [7, 7, 7])
                #expect(Support.preadFile(path) == expected)
            }
        }
    }

    @Test func registrationCanBeTurnedOff() async throws {
        try await Support.withFile(Support.bytes(count: 5000, seed: 73)) { path, expected in
            let executor = try RingExecutor(configuration: .init(entries: 16, buffers: .init(count: 2, size: 4096), registeredFiles: 0))
            #expect(try await Self.freeSlots(executor) == nil)
            try await executor.run {
                let file = try await File.open(path, on: executor)
                #expect(!file.isRegistered)
                #expect(try await file.read(upTo: 5000, at: 0) == expected)
                try await file.close()
            }
            await executor.shutdown()
        }
    }

    @Test func aFileReleasedWithoutCloseGivesItsSlotBack() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            let executor = try RingExecutor(configuration: .init(entries: 16, buffers: .init(count: 2, size: 4096), registeredFiles: 4))
            try await Task.detached {
                let file = try await File.open(path, on: executor)
                #expect(file.isRegistered)
            }.value  // the File is released on another thread, without close()
            var slots: Int? = nil
            for _ in 0..<1000 {
                slots = try await Self.freeSlots(executor)
                if slots == 4 { break }
                try await Task.sleep(nanoseconds: 1_000_000)
            }
            #expect(slots == 4)
            await executor.shutdown()
        }
    }
}
