import CRingIO
import Glibc
@testable import RingIO
import Testing

@Suite("Errors carry errno, operation and path")
struct ErrorTests {
    @Test func openMissingFileThrowsENOENTWithThePath() async throws {
        try await Support.withExecutor { executor in
            let path = "/tmp/ringio-definitely-missing-\(getpid())/nothing.bin"
            let error = await #expect(throws: RingIOError.self) { _ = try await File.open(path, on: executor) }
            #expect(error?.errno == .noSuchFileOrDirectory)
            #expect(error?.operation == .open)
            #expect(error?.path == path)
            #expect(error?.description.contains("ENOENT") == true)
            #expect(error?.description.contains(path) == true)
        }
    }

    @Test func openWithoutPermissionThrowsEACCES() async throws {
        try await Support.withExecutor { executor in
            let dir = Support.makeTempDirectory()
            defer { Support.removeTree(dir) }
            let path: String
            if geteuid() == 0 {
                // Root bypasses mode bits; sysfs still refuses to open a read-only attribute for writing.
                path = "/sys/devices/system/cpu/online"
            } else {
                path = dir + "/locked.bin"
                Support.pwriteFile(path, [1, 2, 3])
                chmod(path, 0)
            }
            let error = await #expect(throws: RingIOError.self) {
                _ = try await File.open(path, mode: .writeOnly, on: executor)
            }
            #expect(error?.errno == .permissionDenied)
            #expect(error?.path == path)
            #expect(error?.description.contains("EACCES") == true)
        }
    }

    @Test func openDirectoryForWritingThrowsEISDIR() async throws {
        try await Support.withExecutor { executor in
            let dir = Support.makeTempDirectory()
            defer { Support.removeTree(dir) }
            let error = await #expect(throws: RingIOError.self) {
                _ = try await File.open(dir, mode: .writeOnly, on: executor)
            }
            #expect(error?.errno == .isDirectory)
            #expect(error?.path == dir)
        }
    }

    @Test func readAfterCloseThrowsEBADFWithoutReachingTheKernel() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    try await file.close()
                    var lease = try await executor.buffers.lease()
                    let error = await #expect(throws: RingIOError.self) { _ = try await file.read(into: &lease, at: 0) }
                    #expect(error?.code == .closed)
                    #expect(error?.errno == .badFileDescriptor)
                    #expect(error?.path == path)
                    let closeAgain = await #expect(throws: RingIOError.self) { try await file.close() }
                    #expect(closeAgain?.errno == .badFileDescriptor)
                }
            }
        }
    }

    @Test func readFromADescriptorThatIsNotOpenThrowsEBADFFromTheKernel() async throws {
        try await Support.withExecutor { executor in
            try await executor.run {
                let file = File(unsafeDescriptor: 999_999, path: nil, on: executor)
                var lease = try await executor.buffers.lease()
                let error = await #expect(throws: RingIOError.self) { _ = try await file.read(into: &lease, at: 0) }
                #expect(error?.code == .system)
                #expect(error?.errno == .badFileDescriptor)
                #expect(error?.fd == 999_999)
                #expect(error?.operation == .readFixed)
                _ = try? await file.close()
            }
        }
    }

    @Test func writeToReadOnlyFileThrowsEBADF() async throws {
        try await Support.withFile([1, 2, 3]) { path, original in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, mode: .readOnly, on: executor)
                    var lease = try await executor.buffers.lease()
                    lease.copy(from: [9, 9, 9])
                    let error = await #expect(throws: RingIOError.self) { _ = try await file.write(from: lease, at: 0) }
                    #expect(error?.errno == .badFileDescriptor)
                    #expect(error?.operation == .writeFixed)
                    try await file.close()
                }
                #expect(Support.preadFile(path) == original, "nothing was written")
            }
        }
    }

    @Test func writeToDevFullThrowsENOSPC() async throws {
        try await Support.withExecutor { executor in
            try await executor.run {
                let file = try await File.open("/dev/full", mode: .writeOnly, on: executor)
                var lease = try await executor.buffers.lease()
                lease.copy(from: [UInt8](repeating: 1, count: 100))
                let error = await #expect(throws: RingIOError.self) { try await file.writeFully(from: lease, at: 0) }
                #expect(error?.errno == .noSpace)
                #expect(error?.path == "/dev/full")
                #expect(error?.description.contains("ENOSPC") == true)
                try await file.close()
            }
        }
    }

    @Test func bufferOver1GiBIsRefusedBeforeTheKernel() throws {
        let error = #expect(throws: RingIOError.self) {
            _ = try RingExecutor(configuration: .init(buffers: .init(count: 1, size: (1 << 30) + 1)))
        }
        #expect(error?.code == .bufferTooLarge)
        #expect(error?.operation == .configuration)
        #expect(error?.description.hasPrefix("RingIO: invalid configuration: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("1 GiB") == true)
    }

    @Test func impossiblePoolShapesAreRefusedWithEINVAL() throws {
        for (count, size) in [(0, 4096), (1, 0), (20_000, 4096)] {
            let error = #expect(throws: RingIOError.self) {
                _ = try RingExecutor(configuration: .init(buffers: .init(count: count, size: size)))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.errno == .invalidArgument)
            // Said as what it is, not as a refusal by the kernel ("register buffers failed … EINVAL").
            #expect(error?.description.hasPrefix("RingIO: invalid configuration: Buffer ") == true, "\(String(describing: error))")
            #expect(error?.description.contains("EINVAL") == false)
        }
    }

    @Test func aRingTooSmallForARequestAndItsTimeoutIsRefused() throws {
        let error = #expect(throws: RingIOError.self) {
            _ = try RingExecutor(configuration: .init(entries: 1, buffers: .init(count: 1, size: 4096)))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.description.contains("linked timeout") == true)
    }

    @Test func anIdleSpinOutsideZeroToOneMillisecondIsRefused() throws {
        for spin in [Duration.microseconds(-1), .milliseconds(2)] {
            var configuration = RingExecutorConfiguration(buffers: .init(count: 1, size: 4096))
            configuration.idleSpin = spin
            let error = #expect(throws: RingIOError.self) { _ = try RingExecutor(configuration: configuration) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.description.contains("idleSpin") == true)
        }
    }

    @Test func leaseRangeOffsetAndForeignPoolAreCheckedBeforeSubmitting() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            try await Support.withExecutor(count: 2, size: 4096) { executor in
                let other = try Support.makeExecutor(count: 1, size: 4096)
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var lease = try await executor.buffers.lease()
                    let outside = await #expect(throws: RingIOError.self) { _ = try await file.read(into: &lease, range: 4000..<5000, at: 0) }
                    #expect(outside?.code == .invalidArgument)
                    let negative = await #expect(throws: RingIOError.self) { _ = try await file.read(into: &lease, at: -1) }
                    #expect(negative?.code == .invalidArgument)
                    var foreign = try await other.buffers.lease()
                    let wrongPool = await #expect(throws: RingIOError.self) { _ = try await file.read(into: &foreign, at: 0) }
                    #expect(wrongPool?.code == .invalidArgument)
                    try await file.close()
                }
                await other.shutdown()
            }
        }
    }

    @Test(.ioUringOnly("buffer registration is io_uring's"))
    func fileBackedMemoryIsRefusedWithAnExplanation() throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let path = dir + "/backing.bin"
        Support.pwriteFile(path, [UInt8](repeating: 0, count: 8192))
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        let mapping = try #require(mmap(nil, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0))
        #expect(mapping != MAP_FAILED)
        defer { munmap(mapping, 8192) }
        let region = BufferRegion(unsafeMapping: mapping, count: 2, size: 4096, stride: 4096)
        let ring = try Ring(entries: 4, completionEntries: 8, preferred: [])
        let error = #expect(throws: RingIOError.self) { try BufferRegistration.register(region, on: ring) }
        #expect(error?.code == .fileBackedMemory)
        #expect(error?.errno == .notSupported || error?.errno == .badAddress)
        #expect(error?.description.contains("file-backed") == true)
    }
}

/// RLIMIT_MEMLOCK as an ordinary user: run one at a time, since the kernel counts locked memory per
/// user and these all run as `nobody`.
@Suite("Locked-memory limit", .serialized, .needsIOURingOnThisHost)
struct MemlockTests {
    @Test func memlockLimitTooSmallGivesTheLimitTheBytesAndTheUlimitFix() throws {
        // 64 buffers × 64 KiB = 4 MiB to pin, against a 64 KiB limit.
        let result = try Self.demoSetupAsUnprivilegedUser(memlockKiB: 64, buffers: 64, bufferSize: 65536, extra: ["--require-io-uring"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("ENOMEM"), "\(result.output)")
        #expect(result.output.contains("RLIMIT_MEMLOCK allows 65536 bytes"), "\(result.output)")
        #expect(result.output.contains("4194304 bytes"), "\(result.output)")
        #expect(result.output.contains("ulimit -l"), "\(result.output)")
    }

    @Test func aRingRefusedForMemlockNamesTheLimitInWordsTrueForThisKernel() throws {
        // No locked memory at all: on this kernel the ring itself is charged to RLIMIT_MEMLOCK.
        let result = try Self.demoSetupAsUnprivilegedUser(memlockKiB: 0, buffers: 1, bufferSize: 4096, extra: ["--require-io-uring"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("io_uring setup failed"), "\(result.output)")
        #expect(result.output.contains("ENOMEM"), "\(result.output)")
        #expect(result.output.contains("RLIMIT_MEMLOCK"), "\(result.output)")
        #expect(result.output.contains("now 0 bytes"), "\(result.output)")
        #expect(result.output.contains("just exited"), "\(result.output)")
        #expect(!result.output.contains("5.12"), "no claim about other kernels: \(result.output)")
    }

    @Test func underTheFallbackPolicyARingRefusedForMemlockRunsOnTheThreadPoolAndSaysWhy() throws {
        let result = try Self.demoSetupAsUnprivilegedUser(memlockKiB: 0, buffers: 1, bufferSize: 4096)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("backend thread pool"), "\(result.output)")
        #expect(result.output.contains("RLIMIT_MEMLOCK (0 bytes) is too small for the ring itself"), "\(result.output)")
    }

    @Test func memlockLimitLargeEnoughSucceedsForTheSameUser() throws {
        let result = try Self.demoSetupAsUnprivilegedUser(memlockKiB: 1024, buffers: 4, bufferSize: 4096)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("fixed buffers on"), "\(result.output)")
        #expect(result.output.contains("4 buffers of 4096 bytes"), "\(result.output)")
    }

    @Test func underTheFallbackPolicyATooSmallMemlockShrinksThePoolAndSaysWhy() throws {
        // 512 KiB of memlock holds a few of the 64 KiB buffers asked for, not 64.
        let result = try Self.demoSetupAsUnprivilegedUser(memlockKiB: 512, buffers: 64, bufferSize: 65536)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("fixed buffers on"), "\(result.output)")
        #expect(result.output.contains("RLIMIT_MEMLOCK (524288 bytes) holds"), "\(result.output)")
        #expect(result.output.contains("of the 64 buffers asked for"), "\(result.output)")
        #expect(!result.output.contains("64 buffers of 65536 bytes"), "\(result.output)")
    }

    @Test func underTheFallbackPolicyNoMemlockMeansUnregisteredBuffersThatStillRead() throws {
        // 16 KiB of memlock holds no 64 KiB buffer: the pool stays unregistered and reads use plain READ.
        let result = try Self.demoSetupAsUnprivilegedUser(
            memlockKiB: 16, buffers: 4, bufferSize: 65536, extra: ["--seconds", "1", "--file-size", "8"], checkSetup: false)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("fixed buffers off"), "\(result.output)")
        // Where the kernel also counts the ring itself against the limit, setup falls back to the
        // thread pool instead; either way the reads run and the reason is printed.
        let unregistered = result.output.contains("too small to register even one buffer") && result.output.contains("RingIO READ (QD4)")
        let threadPool = result.output.contains("too small for the ring itself") && result.output.contains("RingIO thread pool (QD4)")
        #expect(unregistered || threadPool, "\(result.output)")
    }

    /// A group pins its pool once (cloned into the other rings); here, not beside the other suites,
    /// because it runs as `nobody` too.
    @Test(.ioUringOnly("RLIMIT_MEMLOCK matters only for io_uring's registered buffers"))
    func aMemlockLimitThatFitsOnePoolGivesEveryLoopFixedBuffers() throws {
        // 4 × 64 KiB = 256 KiB pinned once fits 400 KiB; pinned once per loop (512 KiB) would not.
        let result = try Self.demoSetupAsUnprivilegedUser(
            memlockKiB: 400, buffers: 4, bufferSize: 65536, extra: ["--loops", "2"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("RingIO loop 0: backend io_uring"), "\(result.output)")
        let loops = result.output.split(separator: "\n").filter { $0.hasPrefix("RingIO loop") }
        #expect(loops.count == 2, "\(result.output)")
        #expect(loops.allSatisfy { $0.contains("fixed buffers on") && $0.contains("4 buffers of 65536 bytes") }, "\(result.output)")
        #expect(loops[1].contains("cloned: pinned once"), "\(result.output)")
    }

    /// Runs `ringio-demo --check-setup` with a pool of `buffers × bufferSize` under `ulimit -l memlockKiB`,
    /// as `nobody` when we are root (root ignores RLIMIT_MEMLOCK), else as ourselves.
    static func demoSetupAsUnprivilegedUser(
        memlockKiB: Int, buffers: Int, bufferSize: Int, extra: [String] = [], checkSetup: Bool = true
    ) throws -> (status: Int32, output: String) {
        let demo = try #require(Support.demoBinary(), "the ringio-demo executable is built alongside the tests")
        let arguments = (checkSetup ? ["--check-setup"] : []) + ["--qd", "4", "--buffers", "\(buffers)", "--buffer-size", "\(bufferSize)"] + extra
        let script = "cd /tmp && ulimit -l \(memlockKiB) && exec \(demo.shellQuoted) " + arguments.map(\.shellQuoted).joined(separator: " ")
        func attempt() -> (status: Int32, output: String) {
            geteuid() == 0
                ? Support.run("/sbin/runuser", ["-u", "nobody", "--", "/bin/sh", "-c", script])
                : Support.run("/bin/sh", ["-c", script])
        }
        // A limit of 64 KiB or more always fits the ring itself (a QD4 ring needs a few pages), so a
        // ring refused under it means memory the previous test's process pinned is not yet released:
        // the kernel frees it from a work queue after the process exits, and nothing shows when. Try
        // again a few times rather than report the previous test's memory as this one's failure.
        var result = attempt()
        var retries = 0
        while memlockKiB >= 64, retries < 20, result.output.contains("io_uring setup failed") {
            usleep(100_000)
            retries += 1
            result = attempt()
        }
        return result
    }
}
