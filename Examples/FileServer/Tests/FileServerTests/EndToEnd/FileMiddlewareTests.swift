import FileServerCore
import Foundation
import Testing

/// Hummingbird's stock `FileMiddleware` over `RingFileProvider` (RingIO), beside the same
/// middleware over Hummingbird's own `LocalFileSystem`: the bytes, headers and statuses a client sees.
@Suite("FileMiddleware on RingFileProvider and on LocalFileSystem (curl)", .serialized)
struct FileMiddlewareTests {
    @Test("full GETs return exactly the file, with its size and modification date", arguments: ServerConfig.fileMiddleware)
    func fullGets(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, fixture in
            for (path, name) in [("/small.txt", "small.txt"), ("/empty.txt", "empty.txt"), ("/large.bin", "large.bin"),
                                 ("/chunk.bin", "chunk.bin"), ("/chunk1.bin", "chunk1.bin"),
                                 ("/a%20b%20%C3%BC.txt", "a b ü.txt"), ("/alias.txt", "sub/nested.txt"),
                                 ("/sub/nested.txt", "sub/nested.txt")] {
                let response = try curl.get(path)
                #expect(response.status == 200, "\(path)")
                #expect(response[header: "content-length"] == String(try fixture.bytes(name).count), "\(path)")
                #expect(try curl.sameBytes(response, fixture.file(name)), "\(path): body differs from the file (cmp)")
                let lastModified = try #require(response[header: "last-modified"], "\(path): no Last-Modified")
                let attributes = try FileManager.default.attributesOfItem(atPath: fixture.file(name).path)
                let mtime = Int64((attributes[.modificationDate] as! Date).timeIntervalSince1970.rounded(.down))
                #expect(HTTPDate.parse(lastModified) == mtime, "\(path): Last-Modified \(lastModified)")
            }
        }
    }

    @Test("ranges give exactly the asked bytes, across chunk boundaries", arguments: ServerConfig.fileMiddleware)
    func ranges(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, fixture in
            let data = try fixture.bytes("large.bin")
            for (header, expected) in [("bytes=0-99", 0..<100), ("bytes=65530-65545", 65530..<65546),
                                       ("bytes=100000-1500000", 100_000..<1_500_001), ("bytes=5000000-", 5_000_000..<data.count),
                                       // Hummingbird 2.28.1's FileMiddleware reads a suffix range as
                                       // 0...N (RFC 9110: the last N bytes); both providers get that
                                       // range from it and must send exactly those bytes.
                                       ("bytes=-500", 0..<501)] {
                let response = try curl.get("/large.bin", ["-H", "Range: \(header)"])
                #expect(response.status == 206, "\(header)")
                #expect(response[header: "content-length"] == String(expected.count), "\(header)")
                #expect(response.body == data[expected], "\(header): wrong bytes")
            }
        }
    }

    @Test("HEAD, 304, 404 and a redirect for a directory, as the stock middleware answers them", arguments: ServerConfig.fileMiddleware)
    func statuses(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, _ in
            let head = try curl.get("/large.bin", ["--head"])
            #expect(head.status == 200)
            #expect(head[header: "content-length"] == String(Fixture.largeSize))
            #expect(head.downloadedBodyBytes == 0)
            let etag = try #require(head[header: "etag"])
            #expect(try curl.get("/large.bin", ["-H", "If-None-Match: \(etag)"]).status == 304)
            #expect(try curl.get("/missing.txt").status == 404)
            #expect(try curl.get("/sub/missing/deeper.txt").status == 404)
            #expect(try curl.get("/small.txt/child").status == 404)
            let redirect = try curl.get("/site")
            #expect(redirect.status == 301 && redirect[header: "location"] == "/site/")
        }
    }

    @Test("RingFileProvider: links out of the root and FIFOs are not found; nothing outside is ever sent",
          arguments: [ServerConfig.ringioMiddleware, .ringioMiddlewareGroup])
    func containment(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, _ in
            for path in ["/leak.txt", "/passwd", "/etc/passwd", "/outdir/secret.txt", "/pipe"] {
                let response = try curl.get(path)
                #expect(response.status == 404, "\(path): \(response.status)")
                #expect(!String(decoding: response.body, as: UTF8.self).contains(Fixture.secret), "\(path) leaked the secret")
            }
            #expect(try curl.get("/alias.txt").status == 200)  // a link that stays inside
        }
    }

    @Test("RingFileProvider: clients that disconnect mid-body leave no descriptor open",
          arguments: [ServerConfig.ringioMiddleware, .ringioMiddlewareGroup])
    func disconnects(_ config: ServerConfig) throws {
        try withServer(config) { server, curl, fixture in
            let huge = fixture.file("huge.bin")
            _ = FileManager.default.createFile(atPath: huge.path, contents: nil)
            let handle = try FileHandle(forWritingTo: huge)
            try handle.truncate(atOffset: 64 << 20)
            try handle.close()
            _ = try curl.get("/small.txt")
            let baseline = server.openDescriptorCount
            var arguments = ["--silent", "--parallel", "--parallel-immediate", "--parallel-max", "8",
                             "--limit-rate", "100k", "--max-time", "1"]
            for index in 0..<8 {
                arguments += ["--output", fixture.base.appendingPathComponent("aborted-\(index)").path, curl.base + "/huge.bin"]
            }
            let aborted = try runCommand("curl", arguments)
            #expect(aborted.status == 28, "curl should time out (exit 28), got \(aborted.status)")
            // The server notices the closed sockets on its own schedule: poll the observable state.
            var descriptors = server.openDescriptorCount
            let deadline = Date().addingTimeInterval(10)
            while descriptors > baseline && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
                descriptors = server.openDescriptorCount
            }
            #expect(descriptors <= baseline, "descriptors: \(descriptors) now, \(baseline) before")
            #expect(try curl.sameBytes(try curl.get("/large.bin"), fixture.file("large.bin")))
        }
    }
}
