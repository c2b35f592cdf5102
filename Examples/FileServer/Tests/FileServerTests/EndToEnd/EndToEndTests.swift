import FileServerCore
import Foundation
import Testing

/// The real server binary on a loopback port, checked with curl against the files on disk.
@Suite("ringio-fileserver end to end (curl)", .serialized)
struct EndToEndTests {
    @Test("full GETs return exactly the file: small, empty, large, chunk-sized, linked", arguments: ServerConfig.responders)
    func fullGets(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, fixture in
            for (path, name) in [("/small.txt", "small.txt"), ("/empty.txt", "empty.txt"), ("/large.bin", "large.bin"),
                                 ("/chunk.bin", "chunk.bin"), ("/chunk1.bin", "chunk1.bin"),
                                 ("/a%20b%20%C3%BC.txt", "a b ü.txt"), ("/alias.txt", "sub/nested.txt"),
                                 ("/sub/nested.txt", "sub/nested.txt"), ("/site/", "site/index.html")] {
                let response = try curl.get(path)
                let size = try fixture.bytes(name).count
                #expect(response.status == 200, "\(path)")
                #expect(response[header: "content-length"] == String(size), "\(path)")
                #expect(try curl.sameBytes(response, fixture.file(name)), "\(path): body differs from the file (cmp)")
                #expect(response[header: "accept-ranges"] == "bytes", "\(path)")
                let etag = try #require(response[header: "etag"], "\(path): no ETag")
                #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count > 2, "\(path): ETag \(etag)")
                let lastModified = try #require(response[header: "last-modified"], "\(path): no Last-Modified")
                let attributes = try FileManager.default.attributesOfItem(atPath: fixture.file(name).path)
                let mtime = Int64((attributes[.modificationDate] as! Date).timeIntervalSince1970.rounded(.down))
                #expect(HTTPDate.parse(lastModified) == mtime, "\(path): Last-Modified \(lastModified)")
            }
        }
    }

    @Test("Content-Type comes from the extension", arguments: ServerConfig.backends)
    func contentTypes(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, _ in
            for (path, type) in [("/site/index.html", "text/html; charset=utf-8"), ("/site/style.css", "text/css; charset=utf-8"),
                                 ("/site/app.js", "text/javascript; charset=utf-8"), ("/data.json", "application/json"),
                                 ("/small.txt", "text/plain; charset=utf-8"), ("/image.png", "image/png"),
                                 ("/module.wasm", "application/wasm"), ("/blob.xyz", "application/octet-stream"),
                                 ("/site/", "text/html; charset=utf-8")] {
                let response = try curl.get(path)
                #expect(response[header: "content-type"] == type, "\(path)")
            }
        }
    }

    @Test("HEAD sends the headers of GET and no body", arguments: ServerConfig.backends)
    func head(_ config: ServerConfig) throws {
        try withServer(config) { server, curl, _ in
            for (path, size) in [("/large.bin", Fixture.largeSize), ("/small.txt", 12), ("/empty.txt", 0)] {
                let get = try curl.get(path)
                let head = try curl.get(path, ["--head"])
                #expect(head.status == 200)
                #expect(head[header: "content-length"] == String(size), "\(path)")
                #expect(head[header: "etag"] == get[header: "etag"], "\(path)")
                #expect(head[header: "last-modified"] == get[header: "last-modified"], "\(path)")
                #expect(head[header: "content-type"] == get[header: "content-type"], "\(path)")
                #expect(head.downloadedBodyBytes == 0, "\(path)")
                // On the wire: nothing after the blank line that ends the head.
                let raw = try rawExchange(port: server.port, request: "HEAD \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                let split = try #require(splitHead(raw), "\(path): no complete head")
                #expect(split.head.hasPrefix("HTTP/1.1 200"), "\(path): \(split.head)")
                #expect(split.rest.isEmpty, "\(path): HEAD sent \(split.rest.count) bytes after the head")
            }
        }
    }

    @Test("304 for a matching If-None-Match or If-Modified-Since; 200 otherwise", arguments: ServerConfig.backends)
    func conditional(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, fixture in
            let first = try curl.get("/large.bin")
            let etag = try #require(first[header: "etag"])
            let lastModified = try #require(first[header: "last-modified"])

            let notModified = try curl.get("/large.bin", ["-H", "If-None-Match: \(etag)"])
            #expect(notModified.status == 304)
            #expect(notModified.body.isEmpty)
            #expect(notModified[header: "etag"] == etag)
            #expect(try curl.get("/large.bin", ["-H", "If-None-Match: \"x\", W/\(etag)"]).status == 304)
            #expect(try curl.get("/large.bin", ["-H", "If-None-Match: *"]).status == 304)
            #expect(try curl.get("/large.bin", ["--head", "-H", "If-None-Match: \(etag)"]).status == 304)
            #expect(try curl.get("/large.bin", ["-H", "If-Modified-Since: \(lastModified)"]).status == 304)

            let changed = try curl.get("/large.bin", ["-H", "If-None-Match: \"something-else\""])
            #expect(changed.status == 200)
            #expect(try curl.sameBytes(changed, fixture.file("large.bin")))
            let old = HTTPDate.format(HTTPDate.parse(lastModified)! - 3600)
            #expect(try curl.get("/small.txt", ["-H", "If-Modified-Since: \(old)"]).status == 200)
            // The connection keeps working after a 304 (curl reuses it for the next URL).
            #expect(try curl.get("/small.txt", ["-H", "If-None-Match: \(etag)"]).status == 200)
        }
    }

    @Test("Range: 206 with exactly the asked bytes; 416 past the end", arguments: ServerConfig.responders)
    func ranges(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, fixture in
            let data = try fixture.bytes("large.bin")
            let size = Int64(data.count)
            let cases: [(String, Range<Int64>)] = [
                ("bytes=0-99", 0..<100),                              // first bytes
                ("bytes=65530-65545", 65530..<65546),                 // across a 64 KiB chunk boundary
                ("bytes=100000-1500000", 100_000..<1_500_001),        // middle, many chunks
                ("bytes=-500", (size - 500)..<size),                  // suffix
                ("bytes=-\(size + 10)", 0..<size),                    // suffix longer than the file
                ("bytes=5000000-", 5_000_000..<size),                 // open-ended
                ("bytes=0-", 0..<size),
                ("bytes=\(size - 1)-\(size + 1000)", (size - 1)..<size), // end clamped
            ]
            for (header, expected) in cases {
                let response = try curl.get("/large.bin", ["-H", "Range: \(header)"])
                #expect(response.status == 206, "\(header)")
                #expect(response[header: "content-range"] == "bytes \(expected.lowerBound)-\(expected.upperBound - 1)/\(size)", "\(header)")
                #expect(response[header: "content-length"] == String(expected.count), "\(header)")
                #expect(response.body == data[Int(expected.lowerBound)..<Int(expected.upperBound)], "\(header): wrong bytes")
            }
            // curl's own -r option, on a small file.
            let small = try curl.get("/small.txt", ["-r", "7-10"])
            #expect(small.status == 206 && String(decoding: small.body, as: UTF8.self) == "ring")

            for header in ["bytes=\(size)-", "bytes=\(size + 100)-\(size + 200)", "bytes=-0"] {
                let response = try curl.get("/large.bin", ["-H", "Range: \(header)"])
                #expect(response.status == 416, "\(header)")
                #expect(response[header: "content-range"] == "bytes */\(size)", "\(header)")
                #expect(response.body.isEmpty)
            }
            #expect(try curl.get("/empty.txt", ["-H", "Range: bytes=0-"]).status == 416)

            // Several ranges, or a stale If-Range: the whole file with 200 (documented choice).
            let multi = try curl.get("/large.bin", ["-H", "Range: bytes=0-9,20-29"])
            #expect(multi.status == 200)
            #expect(try curl.sameBytes(multi, fixture.file("large.bin")))
            let stale = try curl.get("/large.bin", ["-H", "Range: bytes=0-9", "-H", "If-Range: \"stale\""])
            #expect(stale.status == 200 && stale.body.count == data.count)
            let etag = try #require(try curl.get("/small.txt", ["--head"])[header: "etag"])
            let fresh = try curl.get("/small.txt", ["-H", "Range: bytes=0-4", "-H", "If-Range: \(etag)"])
            #expect(fresh.status == 206 && fresh.body.count == 5)
            // Invalid syntax is ignored: the whole file.
            #expect(try curl.get("/small.txt", ["-H", "Range: bytes=9-2"]).status == 200)
        }
    }

    @Test("404, 301, 403, 405 and 400 where they belong; a FIFO is refused without hanging", arguments: ServerConfig.backends)
    func errors(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, _ in
            #expect(try curl.get("/missing.txt").status == 404)
            #expect(try curl.get("/sub/missing/deeper.txt").status == 404)
            #expect(try curl.get("/small.txt/child").status == 404)        // ENOTDIR
            #expect(try curl.get("/noindex/").status == 404)               // directory without index.html
            #expect(try curl.get("/").status == 404)                       // the root has no index.html
            let redirect = try curl.get("/site")
            #expect(redirect.status == 301 && redirect[header: "location"] == "/site/")
            #expect(try curl.get("/pipe").status == 403)
            #expect(try curl.get("/small.txt", ["-X", "POST"]).status == 405)
            #expect(try curl.get("/small.txt", ["-X", "DELETE"])[header: "allow"] == "GET, HEAD")
            #expect(try curl.get("/a%zz").status == 400)
            #expect(try curl.get("/%ff%fe").status == 400)
        }
    }

    @Test("no path traversal: .., %2e%2e, %2f, NUL, absolute paths, links out of the root", arguments: ServerConfig.backends)
    func traversal(_ config: ServerConfig) throws {
        try withServer(config) { _, curl, fixture in
            let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? "root:x:0:0"
            let outsideName = fixture.outside.lastPathComponent
            let attempts = [
                "/../\(outsideName)/secret.txt", "/../../../../../../etc/passwd", "/sub/../../\(outsideName)/secret.txt",
                "/%2e%2e/\(outsideName)/secret.txt", "/%2E%2E/%2E%2E/etc/passwd", "/.%2e/\(outsideName)/secret.txt",
                "/..%2f\(outsideName)%2fsecret.txt", "/..%2F..%2F..%2Fetc%2Fpasswd", "/sub%2f..%2f..%2fetc/passwd",
                "/%2fetc%2fpasswd", "//etc/passwd", "/etc/passwd", "/passwd", "/leak.txt", "/outdir/secret.txt",
                "/etc/hostname", "/small.txt%00.png", "/%00", "/..", "/../",
            ]
            for path in attempts {
                let response = try curl.get(path)
                #expect([403, 404].contains(response.status), "\(path) gave \(response.status)")
                let text = String(decoding: response.body, as: UTF8.self)
                #expect(!text.contains(Fixture.secret), "\(path) leaked the outside file")
                #expect(!text.contains("root:x:0:0") && !(passwd.count > 20 && text.contains(passwd.prefix(20))),
                        "\(path) leaked /etc/passwd")
            }
            // The absolute-form request target, as a proxy would send it.
            let absolute = try curl.get("/", ["--request-target", "\(curl.base)/../\(outsideName)/secret.txt"])
            #expect([403, 404].contains(absolute.status))
            #expect(!String(decoding: absolute.body, as: UTF8.self).contains(Fixture.secret))
            // A link that stays inside the root is still served.
            #expect(try curl.get("/alias.txt").status == 200)
        }
    }

    @Test("clients that disconnect mid-body leave no open file, lease or descriptor behind", arguments: ServerConfig.backends)
    func disconnects(_ config: ServerConfig) throws {
        try withServer(config) { server, curl, fixture in
            // 64 MiB (sparse): far more than loopback socket buffers hold, so the server is mid-body.
            let huge = fixture.file("huge.bin")
            _ = FileManager.default.createFile(atPath: huge.path, contents: nil)
            let handle = try FileHandle(forWritingTo: huge)
            try handle.truncate(atOffset: 64 << 20)
            try handle.close()
            _ = try curl.get("/small.txt")
            let idle = try curl.waitUntilIdle()
            let baseline = server.openDescriptorCount

            var arguments = ["--silent", "--parallel", "--parallel-immediate", "--parallel-max", "8",
                             "--limit-rate", "100k", "--max-time", "1"]
            for index in 0..<8 {
                arguments += ["--output", fixture.base.appendingPathComponent("aborted-\(index)").path, curl.base + "/huge.bin"]
            }
            let aborted = try runCommand("curl", arguments)
            #expect(aborted.status == 28, "curl should time out (exit 28), got \(aborted.status)")

            let after = try curl.waitUntilIdle()
            #expect(after.openFiles == 0, "files still open after the clients left: \(after.openFiles)")
            #expect(after.poolAvailable == idle.poolAvailable, "leases not back: \(String(describing: after.poolAvailable))")
            #expect(after.filesOpened >= idle.filesOpened + 8)
            var descriptors = server.openDescriptorCount
            let deadline = Date().addingTimeInterval(10)
            while descriptors > baseline && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
                descriptors = server.openDescriptorCount
            }
            #expect(descriptors <= baseline, "descriptors: \(descriptors) now, \(baseline) before")
            // And the server still serves.
            #expect(try curl.sameBytes(try curl.get("/large.bin"), fixture.file("large.bin")))
        }
    }

    @Test("many concurrent downloads through a tiny pool (4 buffers, read-ahead 4) all arrive intact", arguments: [ServerConfig.ringio, .ringioServer, .ringioGroup, .nio])
    func concurrencyWithSmallPool(_ config: ServerConfig) throws {
        try withServer(config, extraArguments: ["--buffers", "4", "--read-ahead", "4", "--chunk-size", "16384"]) { _, curl, fixture in
            var arguments = ["--silent", "--show-error", "--parallel", "--parallel-immediate", "--parallel-max", "16",
                             "--max-time", "60"]
            let outputs = (0..<16).map { fixture.base.appendingPathComponent("parallel-\($0)") }
            for (index, output) in outputs.enumerated() {
                let path = index % 4 == 0 ? "/chunk1.bin" : "/large.bin"
                arguments += ["--output", output.path, curl.base + path]
            }
            let result = try runCommand("curl", arguments)
            #expect(result.status == 0, "curl: \(result.errorOutput)")
            for (index, output) in outputs.enumerated() {
                let name = index % 4 == 0 ? "chunk1.bin" : "large.bin"
                #expect(try runCommand("cmp", ["-s", output.path, fixture.file(name).path]).status == 0, "download \(index) differs")
            }
            let counters = try curl.waitUntilIdle()
            #expect(counters.openFiles == 0)
            #expect(counters.poolAvailable == counters.poolBuffers)
        }
    }
}
