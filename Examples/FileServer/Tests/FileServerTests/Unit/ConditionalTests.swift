import FileServerCore
import Testing

@Suite("Entity tags and conditional requests")
struct ConditionalTests {
    let metadata = FileMetadata(kind: .regular, size: 1024, modifiedSeconds: 1_700_000_000,
                                modifiedNanoseconds: 5, inode: 42)

    @Test("the entity tag is quoted and built from inode, size and mtime")
    func tag() {
        #expect(metadata.entityTag == "\"2a-400-\(String(1_700_000_000 * 1_000_000_000 + 5, radix: 16))\"")
        var changed = metadata
        changed.size += 1
        #expect(changed.entityTag != metadata.entityTag)
    }

    @Test("If-None-Match: exact, weak, in a list, star; other tags do not match")
    func ifNoneMatch() {
        let tag = metadata.entityTag
        #expect(Preconditions.isNotModified(ifNoneMatch: tag, ifModifiedSince: nil, metadata))
        #expect(Preconditions.isNotModified(ifNoneMatch: "W/\(tag)", ifModifiedSince: nil, metadata))
        #expect(Preconditions.isNotModified(ifNoneMatch: "\"x\", \(tag)", ifModifiedSince: nil, metadata))
        #expect(Preconditions.isNotModified(ifNoneMatch: "*", ifModifiedSince: nil, metadata))
        #expect(!Preconditions.isNotModified(ifNoneMatch: "\"other\"", ifModifiedSince: nil, metadata))
        #expect(!Preconditions.isNotModified(ifNoneMatch: "garbage", ifModifiedSince: nil, metadata))
    }

    @Test("If-Modified-Since, and If-None-Match taking precedence")
    func ifModifiedSince() {
        let same = HTTPDate.format(metadata.modifiedSeconds)
        let earlier = HTTPDate.format(metadata.modifiedSeconds - 1)
        #expect(Preconditions.isNotModified(ifNoneMatch: nil, ifModifiedSince: same, metadata))
        #expect(!Preconditions.isNotModified(ifNoneMatch: nil, ifModifiedSince: earlier, metadata))
        #expect(!Preconditions.isNotModified(ifNoneMatch: nil, ifModifiedSince: "not a date", metadata))
        #expect(!Preconditions.isNotModified(ifNoneMatch: "\"other\"", ifModifiedSince: same, metadata))
    }

    @Test("If-Range: strong tag or exact date keeps the range")
    func ifRange() {
        #expect(Preconditions.allowsRange(ifRange: nil, metadata))
        #expect(Preconditions.allowsRange(ifRange: metadata.entityTag, metadata))
        #expect(!Preconditions.allowsRange(ifRange: "W/\(metadata.entityTag)", metadata))
        #expect(!Preconditions.allowsRange(ifRange: "\"old\"", metadata))
        #expect(Preconditions.allowsRange(ifRange: HTTPDate.format(metadata.modifiedSeconds), metadata))
        #expect(!Preconditions.allowsRange(ifRange: HTTPDate.format(metadata.modifiedSeconds - 60), metadata))
    }

    @Test("content types by extension", arguments: [
        ("index.html", "text/html; charset=utf-8"), ("SITE.CSS", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"), ("data.json", "application/json"),
        ("a.txt", "text/plain; charset=utf-8"), ("p.png", "image/png"), ("p.jpg", "image/jpeg"),
        ("i.svg", "image/svg+xml"), ("m.wasm", "application/wasm"), ("d.pdf", "application/pdf"),
        ("x.unknown", "application/octet-stream"), ("Makefile", "application/octet-stream"),
        (".bashrc", "application/octet-stream"),
    ])
    func contentTypes(_ name: String, _ expected: String) {
        #expect(ContentType.forFile(named: name) == expected)
    }
}
