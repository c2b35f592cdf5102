import Glibc
@testable import RingIO
import Testing

/// Moving a lease into another task (`LeaseTransfer`), and the sources that must not compile where
/// ownership of a lease would be broken (checked with the compiler that built these tests).
@Suite("Lease transfer and ownership")
struct LeaseTransferTests {
    @Test func aLeaseMovedIntoAChildTaskReadsThereAndIsTakenOnce() async throws {
        let expected = Support.bytes(count: 64 << 10, seed: 41)
        try await Support.withFile(expected) { path, expected in
            try await Support.withExecutor(count: 2, size: 8192) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    let transfer = LeaseTransfer(try await executor.buffers.lease())
                    #expect(transfer.holdsLease)
                    let bytes = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                        group.addTask {
                            guard var lease = transfer.take() else { throw CancellationError() }
                            let n = try await file.read(into: &lease, at: 4096)
                            return Array(lease.bytes.prefix(n))
                        }
                        return try await group.next()!
                    }
                    #expect(bytes == Array(expected[4096..<(4096 + 8192)]))
                    #expect(!transfer.holdsLease)
                    #expect(Support.isPresent(transfer.take()) == false, "taken once only")
                    #expect(executor.buffers.available == 2, "the child's lease went back when it ended")
                    try await file.close()
                }
            }
        }
    }

    @Test func aTransferDroppedUntakenGivesItsBufferBack() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            var transfer: LeaseTransfer? = LeaseTransfer(try await executor.buffers.lease())
            #expect(executor.buffers.available == 0)
            #expect(transfer?.holdsLease == true)
            transfer = nil
            #expect(executor.buffers.available == 1)
        }
    }

    /// Each source is compiled against the RingIO module of this build; the broken ones must be
    /// refused with the diagnostic named, and the control must compile (so a broken harness fails).
    @Test(arguments: OwnershipSource.all)
    func sourcesThatWouldBreakALeasesOwnershipDoNotCompile(_ source: OwnershipSource) throws {
        let compiler = try #require(OwnershipSource.compilerCommand(), "the module paths of this build were not found")
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let file = directory + "/\(source.name).swift"
        Support.pwriteFile(file, Array(("import RingIO\n" + source.code).utf8))
        let result = Support.run("/bin/sh", ["-c", compiler + " " + file.shellQuoted])
        if let diagnostic = source.expectedError {
            #expect(result.status != 0, "\(source.name) must not compile")
            #expect(result.output.contains(diagnostic), "\(source.name): \(result.output)")
        } else {
            #expect(result.status == 0, "\(source.name) must compile: \(result.output)")
        }
    }
}

struct OwnershipSource: Sendable, CustomTestStringConvertible {
    let name: String
    let code: String
    /// The diagnostic the compiler must give, or nil for a source that must compile.
    let expectedError: String?

    var testDescription: String { name }

    static let all: [OwnershipSource] = [
        .init(name: "copyingALease", code: """
            func f(pool: BufferPool) async throws {
                let lease = try await pool.lease()
                let copy = lease
                _ = lease.capacity
                _ = copy
            }
            """, expectedError: "'lease' used after consume"),
        .init(name: "usingALeaseAfterMovingItIntoATransfer", code: """
            func f(pool: BufferPool) async throws {
                let lease = try await pool.lease()
                let transfer = LeaseTransfer(lease)
                _ = lease.count
                _ = transfer
            }
            """, expectedError: "'lease' used after consume"),
        .init(name: "readingIntoTheParentsLeaseFromAChildTask", code: """
            func f(pool: BufferPool, file: File) async throws {
                var lease = try await pool.lease()
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask { try await file.read(into: &lease, at: 0) }
                    _ = try await group.next()
                }
            }
            """, expectedError: "risks causing data races"),
        .init(name: "usingALeaseAfterHandingItToATask", code: """
            func f(pool: BufferPool) async throws {
                let lease = try await pool.lease()
                Task { _ = lease.count }
                _ = lease.capacity
            }
            """, expectedError: "risks causing data races"),
        .init(name: "movingALeaseIntoAChildTaskWithATransfer", code: """
            func f(pool: BufferPool, file: File) async throws {
                let transfer = LeaseTransfer(try await pool.lease())
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        var lease = transfer.take()!
                        return try await file.read(into: &lease, at: 0)
                    }
                    _ = try await group.next()
                }
            }
            """, expectedError: nil),
        .init(name: "copyingABatch", code: """
            func f(pool: BufferPool) async throws {
                let batch = try await pool.lease(count: 2)
                let copy = batch
                _ = batch.count
                _ = copy
            }
            """, expectedError: "'batch' used after consume"),
        .init(name: "usingALeaseAfterTakingItOutOfABatchAndDroppingIt", code: """
            func f(pool: BufferPool) async throws {
                var batch = try await pool.lease(count: 2)
                let lease = batch.removeLast()!
                _ = consume lease
                _ = lease.count
            }
            """, expectedError: "'lease' used after consume"),
        .init(name: "readingIntoTheParentsBatchFromAChildTask", code: """
            func f(pool: BufferPool, file: File) async throws {
                var batch = try await pool.lease(count: 2)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask { try await file.read(into: &batch, at: 0) }
                    _ = try await group.next()
                }
            }
            """, expectedError: "risks causing data races"),
        .init(name: "vectoredIOAndLeasesReachedInPlaceInABatch", code: """
            func f(pool: BufferPool, file: File) async throws {
                var batch = try await pool.lease(count: 2)
                batch[0].append(contentsOf: [1, 2, 3])
                _ = try await file.write(from: batch, at: 0)
                _ = try await file.read(into: &batch, at: 0)
                _ = try await file.read(into: &batch[1], at: 4096)
                let capacity = batch[1].capacity
                _ = capacity
            }
            """, expectedError: nil),
    ]

    /// `swiftc -emit-sil` (ownership is checked in SIL) against the modules beside this test
    /// binary, or nil when they are not where a SwiftPM build puts them.
    static func compilerCommand() -> String? {
        // <scratch>/<triple>/debug/RingIOPackageTests.xctest; checkouts are in <scratch>/checkouts.
        guard let products = Support.productsDirectory() else { return nil }
        let scratch = products + "/../.."
        let maps = [
            products + "/CRingIO.build/module.modulemap",
            scratch + "/checkouts/swift-system/Sources/CSystem/include/module.modulemap",
        ]
        guard access(products + "/Modules/RingIO.swiftmodule", F_OK) == 0, maps.allSatisfy({ access($0, F_OK) == 0 }) else { return nil }
        let arguments = ["swiftc", "-emit-sil", "-o", "/dev/null", "-swift-version", "6", "-I", products + "/Modules"]
            + maps.flatMap { ["-Xcc", "-fmodule-map-file=" + $0] }
        return arguments.map(\.shellQuoted).joined(separator: " ")
    }
}
