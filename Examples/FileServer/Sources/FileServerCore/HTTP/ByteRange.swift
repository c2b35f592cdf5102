/// What a `Range` request header asks of a file of a given size (RFC 9110 §14).
///
/// Only single byte ranges are honoured: `bytes=a-b`, `bytes=a-` and `bytes=-n`. A header with
/// several ranges, another unit, or invalid syntax is ignored (`.wholeFile`), as RFC 9110 allows,
/// so the client gets the whole file with 200.
public enum ByteRange: Sendable, Hashable {
    /// No usable Range header: send the whole file with 200.
    case wholeFile
    /// Send these bytes with 206 and `Content-Range: bytes first-last/size`.
    case partial(Range<Int64>)
    /// The range starts at or past the end of the file: 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    /// Evaluates a `Range` header value against a file size.
    ///
    /// - Parameters:
    ///   - header: the header value, or nil when the request has none.
    ///   - size: the file's size in bytes (0 or more).
    /// - Returns: what to send.
    public static func evaluate(_ header: String?, size: Int64) -> ByteRange {
        guard let header else { return .wholeFile }
        let trimmed = header.trimmingSpaces()
        guard let equals = trimmed.firstIndex(of: "="),
              trimmed[..<equals].trimmingSpaces().lowercased() == "bytes"
        else { return .wholeFile }
        let specs = trimmed[trimmed.index(after: equals)...]
            .split(separator: ",", omittingEmptySubsequences: true)
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty }
        guard specs.count == 1 else { return .wholeFile }  // several ranges: 200 with the whole file
        return evaluate(spec: specs[0], size: size)
    }

    /// One `first-last`, `first-` or `-suffix` spec.
    private static func evaluate(spec: Substring, size: Int64) -> ByteRange {
        guard let dash = spec.firstIndex(of: "-") else { return .wholeFile }
        let firstText = spec[..<dash]
        let lastText = spec[spec.index(after: dash)...]
        if firstText.isEmpty {
            // bytes=-n: the last n bytes.
            guard let suffix = parseDigits(lastText) else { return .wholeFile }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - suffix)..<size)
        }
        guard let first = parseDigits(firstText) else { return .wholeFile }
        var end = size  // exclusive
        if !lastText.isEmpty {
            guard let last = parseDigits(lastText), last >= first else { return .wholeFile }
            if last < Int64.max { end = min(size, last + 1) }
        }
        guard first < size else { return .unsatisfiable }
        return .partial(first..<end)
    }

    /// Parses ASCII digits (at least one), saturating at `Int64.max`; nil for anything else.
    static func parseDigits(_ text: Substring) -> Int64? {
        guard !text.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            value = overflow1 || overflow2 ? Int64.max : sum
        }
        return value
    }

    /// The `Content-Range` value for a partial response: `bytes first-last/size`.
    public static func contentRange(_ range: Range<Int64>, size: Int64) -> String {
        "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
    }

    /// The `Content-Range` value for 416: `bytes */size`.
    public static func unsatisfiedRange(size: Int64) -> String {
        "bytes */\(size)"
    }
}

extension StringProtocol where SubSequence == Substring {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let text = self[...]
        guard let start = text.firstIndex(where: { !isSpace($0) }),
              let end = text.lastIndex(where: { !isSpace($0) })
        else { return Substring() }
        return text[start...end]
    }
}
