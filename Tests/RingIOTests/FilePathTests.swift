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

    @Test func aPathThatIsNotUTF8IsRefusedWithEINVALAndNothingIsCreated() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        // "caf\xE9": Latin-1, not UTF-8. Opened under a repaired name it would create "caf\u{FFFD}".
        var bytes = Array(directory.utf8).map { CChar(bitPattern: $0) } + [0x2F, 0x63, 0x61, 0x66, CChar(bitPattern: 0xE9), 0]
        let path = bytes.withUnsafeMutableBufferPointer { FilePath(platformString: $0.baseAddress!) }
        try await Support.withExecutor(count: 2, size: 4096) { executor in
            let error = await #expect(throws: RingIOError.self) {
                try await File.open(path, mode: .writeOnly, options: [.create], on: executor)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.errno == .invalidArgument)
            #expect(error?.description.contains("not valid UTF-8") == true, "\(String(describing: error))")
        }
        let directoryHandle = try #require(opendir(directory))
        defer { closedir(directoryHandle) }
        var names: [String] = []
        while let entry = readdir(directoryHandle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        #expect(names.isEmpty, "nothing created: \(names)")
    }
}
