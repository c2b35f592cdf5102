import FileServerCore
import Testing

@Suite("RequestPath: decoding and refusing paths that could leave the root")
struct RequestPathTests {
    @Test("plain paths decode to segments relative to the root")
    func plainPaths() throws {
        #expect(try RequestPath(raw: "/").relative == ".")
        #expect(try RequestPath(raw: "/a/b.txt").segments == ["a", "b.txt"])
        #expect(try RequestPath(raw: "/a%20b/%C3%BC.txt").relative == "a b/ü.txt")
        #expect(try RequestPath(raw: "//a/./b//c").relative == "a/b/c")
        #expect(try RequestPath(raw: "/dir/").hasTrailingSlash)
        #expect(try !RequestPath(raw: "/dir").hasTrailingSlash)
        #expect(try !RequestPath(raw: "/").hasTrailingSlash)
    }

    @Test("parent segments are refused, plain or encoded", arguments: [
        "/..", "/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/%2E%2E/x", "/.%2e/x", "/%2e./x", "/a/..",
    ])
    func parentSegments(_ raw: String) {
        #expect(throws: RequestPath.Problem.parentSegment) { try RequestPath(raw: raw) }
    }

    @Test("an encoded slash never splits a segment", arguments: ["/..%2fetc%2fpasswd", "/a%2Fb", "/%2f"])
    func encodedSlash(_ raw: String) {
        #expect(throws: RequestPath.Problem.encodedSeparator) { try RequestPath(raw: raw) }
    }

    @Test("NUL bytes, malformed escapes, relative targets and invalid UTF-8 are refused")
    func malformed() {
        #expect(throws: RequestPath.Problem.nulByte) { try RequestPath(raw: "/a%00.txt") }
        #expect(throws: RequestPath.Problem.malformedEncoding) { try RequestPath(raw: "/a%2") }
        #expect(throws: RequestPath.Problem.malformedEncoding) { try RequestPath(raw: "/a%zz") }
        #expect(throws: RequestPath.Problem.notAbsolute) { try RequestPath(raw: "a/b") }
        #expect(throws: RequestPath.Problem.notAbsolute) { try RequestPath(raw: "*") }
        #expect(throws: RequestPath.Problem.notAbsolute) { try RequestPath(raw: "") }
        #expect(throws: RequestPath.Problem.invalidUTF8) { try RequestPath(raw: "/%ff%fe") }
    }

    @Test("the re-encoded path is safe for Location and never starts with //")
    func encoded() throws {
        #expect(try RequestPath(raw: "//evil.example/x").encoded == "/evil.example/x")
        #expect(try RequestPath(raw: "/a b/ü").encoded == "/a%20b/%C3%BC")
        #expect(try RequestPath(raw: "/a/").appending("index.html").relative == "a/index.html")
    }

    @Test("problems map to 400 or 403")
    func statusCodes() {
        #expect(ServeError(.parentSegment).statusCode == 403)
        #expect(ServeError(.encodedSeparator).statusCode == 403)
        #expect(ServeError(.nulByte).statusCode == 403)
        #expect(ServeError(.malformedEncoding).statusCode == 400)
        #expect(ServeError(errno: 2, "ENOENT").statusCode == 404)
        #expect(ServeError(errno: 13, "EACCES").statusCode == 403)
        #expect(ServeError(errno: 5, "EIO").statusCode == 500)
    }
}
