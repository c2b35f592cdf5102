import Glibc
@testable import RingIO
import SystemPackage
import Testing

/// Every path API with a swift-system `FilePath`, checked against plain syscalls.
@Suite("FilePath overloads")
struct FilePathTests {
    @Test func openingByFilePathReadsWhatPwriteWroteAndWritesWhatPreadFinds() async throws {
        let expected = Support.bytes(count: 20_000, seed: 31)
        try await Support.withFile(expected) { path, expected in
            try await Support.withExecutor(count: 2, size: 8192) { executor in
                let file = try await File.open(FilePath(path), on: executor)
                #expect(file.filePath == FilePath(path))
                #expect(try await file.readToEnd(maximumSize: 1 << 20) == expected)
                try await file.close()
                let copy = FilePath(path + ".copy")
                let written = try await File.open(copy, mode: .writeOnly, options: [.create, .truncate], on: executor)
                try await written.write(expected, at: 0)
                try await written.close()
                #expect(Support.preadFile(copy.string) == expected)
            }
        }
    }

    @Test func statusRenameMakeDirectoryAndRemoveByFilePathMatchTheSyscalls() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let base = FilePath(directory)
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let made = base.appending("made")
            try await File.makeDirectory(made, on: executor)
            var info = stat()
            #expect(stat(made.string, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
            Support.pwriteFile(base.appending("a").string, [1, 2, 3])
            let status = try await File.status(of: base.appending("a"), on: executor)
            #expect(status.size == 3)
            try await File.rename(base.appending("a"), to: base.appending("b"), on: executor)
            #expect(access(base.appending("a").string, F_OK) != 0 && errno == ENOENT)
            #expect(Support.preadFile(base.appending("b").string) == [1, 2, 3])
            try await File.remove(base.appending("b"), on: executor)
            try await File.remove(made, directory: true, on: executor)
            #expect(access(base.appending("b").string, F_OK) != 0)
            #expect(access(made.string, F_OK) != 0)
            let missing = await #expect(throws: RingIOError.self) { try await File.status(of: base.appending("b"), on: executor) }
            #expect(missing?.errno == .noSuchFileOrDirectory)
            #expect(missing?.path == base.appending("b").string)
        }
    }

    @Test func aGroupTakesFilePathsToo() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let base = FilePath(directory)
        try await Support.withGroup(loops: 2, count: 2, size: 4096) { group in
            try await File.makeDirectory(base.appending("d"), on: group)
            let file = try await File.open(base.appending("d/f"), mode: .readWrite, options: [.create], on: group)
            try await file.write([9, 8, 7], at: 0)
            try await file.close()
            #expect(try await File.status(of: base.appending("d/f"), on: group).size == 3)
            try await File.rename(base.appending("d/f"), to: base.appending("d/g"), on: group)
            #expect(Support.preadFile(base.appending("d/g").string) == [9, 8, 7])
            try await File.remove(base.appending("d/g"), on: group)
            try await File.remove(base.appending("d"), directory: true, on: group)
            #expect(access(base.appending("d").string, F_OK) != 0)
        }
    }

    @Test func aPathThatIsNotUTF8NamesTheFileByItsExactBytes() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        // "caf\xE9" and "th\xE9": Latin-1, not UTF-8. Under a repaired name they would be "caf\u{FFFD}".
        func rawPath(_ name: [UInt8]) -> FilePath {
            var bytes = Array(directory.utf8).map { CChar(bitPattern: $0) } + [0x2F] + name.map { CChar(bitPattern: $0) } + [0]
            return bytes.withUnsafeMutableBufferPointer { FilePath(platformString: $0.baseAddress!) }
        }
        let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9], renamed: [UInt8] = [0x74, 0x68, 0xE9]
        let original = rawPath(latin1), moved = rawPath(renamed)
        #expect(String(validating: original) == nil, "the test needs a path that is not UTF-8")
        // Another path writes it: open(2) and write(2) with the raw bytes.
        let content = Support.bytes(count: 5000, seed: 21)
        let fd = original.withPlatformString { Glibc.open($0, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644) }
        try #require(fd >= 0)
        #expect(content.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == content.count)
        Glibc.close(fd)
        func names() throws -> [[UInt8]] {
            let handle = try #require(opendir(directory))
            defer { closedir(handle) }
            var names: [[UInt8]] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
            }
            return names
        }
        try await Support.withExecutor(count: 2, size: 8192) { executor in
            #expect(try await File.status(of: original, on: executor).size == 5000)
            try await executor.run {
                let file = try await File.open(original, on: executor)
                var lease = try await executor.buffers.lease()
                let count = try await file.read(into: &lease, at: 0)
                #expect(count == 5000)
                #expect(lease.withUnsafeBytes { Array($0.prefix(count)) } == content, "bytes read back differ")
                try await file.close()
            }
            try await File.rename(original, to: moved, on: executor)
            #expect(try names() == [renamed], "renamed under the exact bytes")
            // A file RingIO creates carries the exact bytes too.
            let created = try await File.open(original, mode: .writeOnly, options: [.create, .exclusive], on: executor)
            try await created.close()
            #expect(try names().sorted { $0.lexicographicallyPrecedes($1) } == [latin1, renamed])
            try await File.remove(moved, on: executor)
            try await File.remove(original, on: executor)
            #expect(try names().isEmpty)
            // Errors name it with the invalid byte repaired, and keep the errno.
            let error = await #expect(throws: RingIOError.self) { try await File.status(of: original, on: executor) }
            #expect(error?.errno == .noSuchFileOrDirectory)
            #expect(error?.path?.hasSuffix("caf\u{FFFD}") == true, "\(String(describing: error?.path))")
        }
    }
}
