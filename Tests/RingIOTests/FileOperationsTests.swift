import Glibc
@testable import RingIO
import Testing

/// Each operation is checked against the same operation done with Glibc on the same files.
@Suite("File operations through the ring")
struct FileOperationsTests {
    @Test func onlyDiskBackedFilesSkipTheCancellationHandlerAndOnlyStreamsReadOneAtATime() async throws {
        // A regular file on a file system with a real device (major != 0: ext4, xfs… on a disk)
        // ends its transfers on its own; procfs, tmpfs, network and FUSE files (anonymous device,
        // major 0), pipes and character devices keep IORING_OP_ASYNC_CANCEL. Pipes and character
        // devices are streams; regular files, even procfs ones, are not.
        try await Support.withFile([1, 2, 3]) { path, _ in
            var info = stat()
            #expect(stat(path, &info) == 0)
            let major = (UInt64(info.st_dev) >> 8) & 0xfff | (UInt64(info.st_dev) >> 32) & ~0xfff
            let diskBacked = major != 0
            try await Support.withExecutor(count: 1, size: 4096) { executor in
                var fds: [Int32] = [0, 0]
                #expect(pipe(&fds) == 0)
                defer { close(fds[1]) }
                let null = open("/dev/null", O_RDWR | O_CLOEXEC)
                let proc = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
                #expect(null >= 0 && proc >= 0)
                let readEnd = fds[0]
                try await executor.run {
                    let regular = try await File.open(path, on: executor)
                    let pipeEnd = File(unsafeDescriptor: readEnd, path: "pipe", on: executor)
                    let device = File(unsafeDescriptor: null, path: "/dev/null", on: executor)
                    let procFile = File(unsafeDescriptor: proc, path: "/proc/self/status", on: executor)
                    #expect(regular.transfersEndOnTheirOwn == diskBacked, "\(path) is on a device with major \(major)")
                    #expect(!regular.isStream)
                    #expect(!pipeEnd.transfersEndOnTheirOwn && pipeEnd.isStream)
                    #expect(!device.transfersEndOnTheirOwn && device.isStream)
                    #expect(!procFile.transfersEndOnTheirOwn, "procfs has an anonymous device: its reads keep the handler")
                    #expect(!procFile.isStream)
                    let status = try await device.status()
                    #expect(status.kind == .characterDevice)
                    #expect(status.representedDevice == .init(major: 1, minor: 3), "/dev/null is character device 1:3")
                    for file in [regular, pipeEnd, device, procFile] { try await file.close() }
                }
            }
        }
    }

    @Test func statusMatchesGlibcStat() async throws {
        try await Support.withFile(Support.bytes(count: 12_345, seed: 61)) { path, _ in
            chmod(path, 0o640)
            var expected = stat()
            #expect(stat(path, &expected) == 0)
            try await Support.withExecutor { executor in
                let (opened, byPath) = try await executor.run { () -> (FileStatus, FileStatus) in
                    let file = try await File.open(path, on: executor)
                    let status = try await file.status()
                    try await file.close()
                    return (status, try await File.status(of: path, on: executor))
                }
                for status in [opened, byPath] {
                    #expect(status.kind == .regular)
                    #expect(status.size == Int64(expected.st_size))
                    #expect(status.permissions == UInt32(expected.st_mode) & 0o7777)
                    #expect(status.permissions == 0o640)
                    #expect(status.inode == UInt64(expected.st_ino))
                    // glibc's gnu_dev_major / gnu_dev_minor split of st_dev.
                    let dev = UInt64(expected.st_dev)
                    #expect(status.device == .init(major: UInt32((dev >> 8) & 0xfff | (dev >> 32) & ~0xfff), minor: UInt32(dev & 0xff | (dev >> 12) & ~0xff)))
                    #expect(status.representedDevice == .init(major: 0, minor: 0))
                    #expect(status.linkCount == Int(expected.st_nlink))
                    #expect(status.blockSize == Int(expected.st_blksize))
                    #expect(status.allocatedBlocks == Int64(expected.st_blocks))
                    #expect(status.userID == expected.st_uid && status.groupID == expected.st_gid)
                    #expect(status.modified == .init(seconds: Int64(expected.st_mtim.tv_sec), nanoseconds: UInt32(expected.st_mtim.tv_nsec)))
                    if let alignment = status.directIOAlignment {
                        #expect(alignment.memory > 0 && alignment.memory & (alignment.memory - 1) == 0)
                        #expect(alignment.offset > 0 && alignment.offset & (alignment.offset - 1) == 0)
                    }
                }
                let directory = try await executor.run { try await File.status(of: "/tmp", on: executor) }
                #expect(directory.kind == .directory)
                let missing = await #expect(throws: RingIOError.self) {
                    _ = try await File.status(of: path + ".missing", on: executor)
                }
                #expect(missing?.errno == .noSuchFileOrDirectory)
                #expect(missing?.operation == .stat)
            }
        }
    }

    @Test func syncAndDataSyncSucceedOnFilesAndFailLikeFsyncOnPipes() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            try await Support.withExecutor { executor in
                let pipe = try Pipe()
                defer { pipe.closeAll() }
                let readEnd = pipe.takeReadEnd()
                let glibcErrno = fsync(readEnd) == 0 ? 0 : errno
                try await executor.run {
                    let file = try await File.open(path, mode: .readWrite, on: executor)
                    try await file.write([9, 9], at: 1)
                    try await file.sync()
                    try await file.dataSync()
                    try await file.close()
                    let pipeFile = File(unsafeDescriptor: readEnd, path: "pipe", on: executor)
                    let error = await #expect(throws: RingIOError.self) { try await pipeFile.sync() }
                    #expect(error?.errno?.rawValue == glibcErrno)
                    #expect(error?.operation == .sync)
                    try await pipeFile.close()
                }
                #expect(Support.preadFile(path) == [1, 9, 9])
            }
        }
    }

    @Test func allocateGrowsTheFileLikeFallocate() async throws {
        try await Support.withFile([]) { path, _ in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, mode: .readWrite, on: executor)
                    try await file.allocate(at: 0, length: 1 << 20)
                    #expect(try await file.status().size == 1 << 20)
                    try await file.allocate(at: 1 << 20, length: 1 << 20, keepSize: true)
                    let status = try await file.status()
                    #expect(status.size == 1 << 20, "keepSize leaves the size alone")
                    #expect(status.allocatedBlocks * 512 >= 2 << 20, "but the space is allocated")
                    try await file.close()
                }
                var info = stat()
                #expect(stat(path, &info) == 0 && info.st_size == 1 << 20)
                #expect(Support.preadFile(path) == [UInt8](repeating: 0, count: 1 << 20))
            }
        }
    }

    @Test(arguments: [false, true])
    func truncateMatchesFtruncateIncludingItsErrno(forceFallback: Bool) async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 62)) { path, original in
            var configuration = RingExecutorConfiguration(entries: 16, buffers: .init(count: 2, size: 4096))
            configuration.forceTruncateFallback = forceFallback
            let executor = try RingExecutor(configuration: configuration)
            let readOnlyFD = open(path, O_RDONLY)
            let glibcErrno = ftruncate(readOnlyFD, 10) == 0 ? 0 : errno
            close(readOnlyFD)
            try await executor.run {
                let file = try await File.open(path, mode: .readWrite, on: executor)
                try await file.truncate(to: 100)
                #expect(Support.preadFile(path) == Array(original[0..<100]))
                try await file.truncate(to: 5000)
                #expect(Support.preadFile(path) == Array(original[0..<100]) + [UInt8](repeating: 0, count: 4900))
                try await file.close()
                let readOnly = try await File.open(path, on: executor)
                let error = await #expect(throws: RingIOError.self) { try await readOnly.truncate(to: 10) }
                #expect(error?.errno?.rawValue == glibcErrno)
                try await readOnly.close()
            }
            await executor.shutdown()
        }
    }

    @Test func makeDirectoryRenameAndRemoveMatchGlibc() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        try await Support.withExecutor { executor in
            let mask = umask(0o022)
            umask(mask)
            try await executor.run {
                try await File.makeDirectory(dir + "/sub", permissions: 0o750, on: executor)
                Support.pwriteFile(dir + "/sub/a.bin", [1, 2, 3])
                try await File.rename(dir + "/sub/a.bin", to: dir + "/sub/b.bin", on: executor)
                #expect(access(dir + "/sub/a.bin", F_OK) != 0)
                #expect(Support.preadFile(dir + "/sub/b.bin") == [1, 2, 3])
                try await File.remove(dir + "/sub/b.bin", on: executor)
                #expect(access(dir + "/sub/b.bin", F_OK) != 0 && errno == ENOENT)
                try await File.remove(dir + "/sub", directory: true, on: executor)
                #expect(access(dir + "/sub", F_OK) != 0)
            }
            // Permissions as mkdir(2) would set them.
            try await executor.run { try await File.makeDirectory(dir + "/m", permissions: 0o750, on: executor) }
            var info = stat()
            #expect(stat(dir + "/m", &info) == 0)
            #expect(UInt32(info.st_mode) & 0o777 == 0o750 & ~UInt32(mask))
        }
    }

    @Test func pathOperationErrorsMatchGlibcErrno() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        Support.pwriteFile(dir + "/file.bin", [1])
        mkdir(dir + "/full", 0o755)
        Support.pwriteFile(dir + "/full/x", [1])
        try await Support.withExecutor { executor in
            let cases: [(String, () -> Int32, @Sendable () async throws -> Void)] = [
                ("remove missing", { unlink(dir + "/nope") == 0 ? 0 : errno },
                 { try await File.remove(dir + "/nope", on: executor) }),
                ("mkdir existing", { mkdir(dir + "/file.bin", 0o755) == 0 ? 0 : errno },
                 { try await File.makeDirectory(dir + "/file.bin", on: executor) }),
                ("rename missing", { rename(dir + "/nope", dir + "/nope2") == 0 ? 0 : errno },
                 { try await File.rename(dir + "/nope", to: dir + "/nope2", on: executor) }),
                ("rmdir non-empty", { rmdir(dir + "/full") == 0 ? 0 : errno },
                 { try await File.remove(dir + "/full", directory: true, on: executor) }),
                ("open file as directory", { let fd = open(dir + "/file.bin", O_RDONLY | O_DIRECTORY); return fd >= 0 ? 0 : errno },
                 { _ = try await File.open(dir + "/file.bin", options: .directory, on: executor) }),
            ]
            for (name, glibc, ring) in cases {
                let expected = glibc()
                #expect(expected != 0, "\(name): Glibc failed too")
                let error = await #expect(throws: RingIOError.self, "\(name)") { try await ring() }
                #expect(error?.errno?.rawValue == expected, "\(name)")
            }
        }
    }

    @Test func openRelativeToADirectoryHandle() async throws {
        let dir = Support.makeTempDirectory()
        defer { Support.removeTree(dir) }
        let expected = Support.bytes(count: 3000, seed: 63)
        Support.pwriteFile(dir + "/child.bin", expected)
        try await Support.withExecutor { executor in
            try await executor.run {
                let directory = try await File.open(dir, options: .directory, on: executor)
                let child = try await File.open("child.bin", relativeTo: directory, on: executor)
                #expect(try await child.read(upTo: 5000, at: 0) == expected)
                #expect(try await File.status(of: "child.bin", relativeTo: directory, on: executor).size == 3000)
                try await File.makeDirectory("made", relativeTo: directory, on: executor)
                try await File.rename("child.bin", to: "made/moved.bin", relativeTo: directory, on: executor)
                try await File.remove("made/moved.bin", relativeTo: directory, on: executor)
                try await child.close()
                try await directory.close()
                let closedBase = await #expect(throws: RingIOError.self) {
                    _ = try await File.open("x", relativeTo: directory, on: executor)
                }
                #expect(closedBase?.code == .closed)
            }
            #expect(access(dir + "/made", F_OK) == 0 && access(dir + "/made/moved.bin", F_OK) != 0)
        }
    }

    @Test func plainMemoryReadsAndWritesMatchPreadAndPwrite() async throws {
        try await Support.withFile(Support.bytes(count: 20_000, seed: 64)) { path, original in
            try await Support.withExecutor { executor in
                try await executor.run {
                    let file = try await File.open(path, mode: .readWrite, on: executor)
                    #expect(try await file.read(upTo: 1000, at: 19_500) == Array(original[19_500...]))
                    #expect(try await file.read(upTo: 10, at: 20_000) == [])
                    let payload = Support.bytes(count: 777, seed: 65)
                    try await file.write(payload, at: 100)
                    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 777, alignment: 8)
                    defer { raw.deallocate() }
                    let n = try await file.read(into: raw, at: 100)
                    #expect(n == 777 && [UInt8](raw) == payload)
                    try await file.close()
                }
                var expected = original
                expected.replaceSubrange(100..<877, with: Support.bytes(count: 777, seed: 65))
                #expect(Support.preadFile(path) == expected)
            }
        }
    }

    @Test func vectoredReadsAndWritesMatchPreadvAndPwritev() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 66)) { path, original in
            try await Support.withExecutor { executor in
                let parts = [Support.bytes(count: 100, seed: 1), Support.bytes(count: 2000, seed: 2), Support.bytes(count: 3, seed: 3)]
                let storage = parts.map { part -> UnsafeMutableRawBufferPointer in
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: part.count, alignment: 8)
                    buffer.copyBytes(from: part)
                    return buffer
                }
                defer { storage.forEach { $0.deallocate() } }
                let readBack = [100, 2000, 3].map { UnsafeMutableRawBufferPointer.allocate(byteCount: $0, alignment: 8) }
                defer { readBack.forEach { $0.deallocate() } }
                nonisolated(unsafe) let gather = storage.map { UnsafeRawBufferPointer($0) }
                nonisolated(unsafe) let scatter = readBack
                try await executor.run {
                    let file = try await File.open(path, mode: .readWrite, on: executor)
                    #expect(try await file.write(from: gather, at: 5000) == 2103)
                    #expect(try await file.read(into: scatter, at: 5000) == 2103)
                    try await file.close()
                }
                #expect(zip(readBack, parts).allSatisfy { [UInt8]($0.0) == $0.1 })
                var expected = original
                expected.replaceSubrange(5000..<7103, with: parts.joined())
                #expect(Support.preadFile(path) == expected)
            }
        }
    }
}
