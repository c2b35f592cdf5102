import Glibc
import RingIO
import Testing

/// Tests that change machine-wide settings. They run on their own (`scripts/test.sh` runs them after
/// the parallel suite) because other tests' rings would fail while io_uring is disabled.
@Suite(
    "SystemWide: io_uring disabled by sysctl",
    .serialized,
    .enabled(if: getenv("RINGIO_SYSTEM_TESTS") != nil, "set RINGIO_SYSTEM_TESTS=1 to run (scripts/test.sh does, alone)"),
    .enabled(if: geteuid() == 0, "needs root to change kernel.io_uring_disabled"),
    .enabled(if: access("/proc/sys/kernel/io_uring_disabled", W_OK) == 0, "kernel.io_uring_disabled is not writable here")
)
struct SystemWideTests {
    @Test func disabledIoUringGivesAPlainWordsErrorWithEPERM() throws {
        let original = try #require(Self.readSetting())
        defer { Self.writeSetting(original) }  // restored even when an expectation fails
        #expect(Self.writeSetting("2"))
        let error = #expect(throws: RingIOError.self) { _ = try RingExecutor(configuration: .init(policy: .requireIOURing)) }
        #expect(error?.code == .ioUringUnavailable)
        #expect(error?.errno == .notPermitted)
        #expect(error?.operation == .setup)
        #expect(error?.description.contains("kernel.io_uring_disabled is 2") == true, "\(String(describing: error))")
        #expect(error?.description.contains("sysctl -w kernel.io_uring_disabled=0") == true)
    }

    @Test func withTheFallbackPolicyTheThreadPoolDoesTheIOAndSaysWhy() async throws {
        let original = try #require(Self.readSetting())
        defer { Self.writeSetting(original) }
        #expect(Self.writeSetting("2"))
        let executor = try RingExecutor(configuration: .init(entries: 8, buffers: .init(count: 2, size: 4096)))
        #expect(executor.capabilities.backend == .threadPool)
        #expect(executor.capabilities.notes.first?.contains("io_uring is not available") == true)
        #expect(executor.capabilities.notes.first?.contains("kernel.io_uring_disabled is 2") == true)
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let expected = Support.bytes(count: 10_000, seed: 99)
        Support.pwriteFile(dir + "/f.bin", expected)
        try await executor.run {
            let file = try await File.open(dir + "/f.bin", mode: .readWrite, on: executor)
            var lease = try await executor.buffers.lease()
            #expect(try await file.read(into: &lease, at: 100) == 4096)
            #expect(lease.bytes == Array(expected[100..<4196]))
            lease.copy(from: [1, 2, 3])
            #expect(try await file.write(from: lease, at: 0) == 3)
            try await file.close()
        }
        #expect(Array(Support.preadFile(dir + "/f.bin").prefix(3)) == [1, 2, 3])
        await executor.shutdown()
    }

    @Test func settingIsRestoredAndRingsWorkAgain() async throws {
        // Runs after the test above (serialized): the sysctl must be back to a value that allows root.
        let value = try #require(Self.readSetting())
        #expect(value != "2")
        let executor = try RingExecutor(configuration: .init(entries: 8, buffers: .init(count: 2, size: 4096)))
        try await executor.nop()
        await executor.shutdown()
    }

    static func readSetting() -> String? {
        let fd = open("/proc/sys/kernel/io_uring_disabled", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self).filter { !$0.isWhitespace }
    }

    @discardableResult
    static func writeSetting(_ value: String) -> Bool {
        let fd = open("/proc/sys/kernel/io_uring_disabled", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        return write(fd, bytes, bytes.count) == bytes.count
    }
}
