import FileServerCore
import Testing

@Suite("ByteRange: Range header evaluation")
struct ByteRangeTests {
    @Test("single ranges of a 1000-byte file", arguments: [
        ("bytes=0-99", 0..<100),
        ("bytes=100-", 100..<1000),
        ("bytes=-10", 990..<1000),
        ("bytes=-5000", 0..<1000),
        ("bytes=990-5000", 990..<1000),
        ("bytes=999-999", 999..<1000),
        (" Bytes = 5-6 ", 5..<7),
        ("bytes=0-99999999999999999999999", 0..<1000),
    ] as [(String, Range<Int64>)])
    func partial(_ header: String, _ expected: Range<Int64>) {
        #expect(ByteRange.evaluate(header, size: 1000) == .partial(expected))
    }

    @Test("unsatisfiable ranges", arguments: ["bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=99999999999999999999-"])
    func unsatisfiable(_ header: String) {
        #expect(ByteRange.evaluate(header, size: 1000) == .unsatisfiable)
    }

    @Test("an empty file satisfies no range")
    func emptyFile() {
        #expect(ByteRange.evaluate("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.evaluate("bytes=-1", size: 0) == .unsatisfiable)
    }

    @Test("ignored headers give the whole file", arguments: [
        nil, "", "bytes", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=0-1,5-6", "bytes=-", "bytes=1-2-3", "bytes=+1-2",
    ] as [String?])
    func ignored(_ header: String?) {
        #expect(ByteRange.evaluate(header, size: 1000) == .wholeFile)
    }

    @Test("Content-Range values")
    func contentRange() {
        #expect(ByteRange.contentRange(10..<20, size: 100) == "bytes 10-19/100")
        #expect(ByteRange.unsatisfiedRange(size: 100) == "bytes */100")
    }
}
