/// A request path, percent-decoded and checked, as plain names below the served root.
///
/// The raw path is split at `/` *before* decoding, so an encoded separator (`%2f`) cannot create a
/// segment boundary; each segment is then decoded and refused when it is `..`, contains a `/` or a
/// NUL byte, or is not UTF-8. Empty and `.` segments are dropped, so `//a/./b` is `a/b` and an
/// absolute-looking path never leaves the root.
///
/// ```swift
/// try RequestPath(raw: "/docs/a%20b.txt").relative   // "docs/a b.txt"
/// try RequestPath(raw: "/%2e%2e/etc/passwd")          // throws .parentSegment
/// ```
public struct RequestPath: Sendable, Hashable, CustomStringConvertible {
    /// The decoded names, root first; empty for the root itself.
    public let segments: [String]
    /// Whether the request path ended in `/` (a directory was asked for).
    public let hasTrailingSlash: Bool

    /// Why a raw path was refused.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// The path does not start with `/` (e.g. `*` or an empty target).
        case notAbsolute
        /// A `%` not followed by two hex digits.
        case malformedEncoding
        /// A `..` segment (plain or percent-encoded).
        case parentSegment
        /// A percent-encoded `/` inside a segment.
        case encodedSeparator
        /// A NUL byte (`%00`).
        case nulByte
        /// A segment that is not valid UTF-8 once decoded.
        case invalidUTF8

        public var description: String {
            switch self {
            case .notAbsolute: return "the path must start with '/'"
            case .malformedEncoding: return "malformed percent-encoding in the path"
            case .parentSegment: return "'..' segments are not allowed"
            case .encodedSeparator: return "encoded '/' (%2F) is not allowed in a path segment"
            case .nulByte: return "NUL bytes are not allowed in paths"
            case .invalidUTF8: return "the decoded path is not valid UTF-8"
            }
        }
    }

    /// Parses and checks a raw (still percent-encoded) request path, without its query.
    ///
    /// - Parameter raw: the path as the client sent it, e.g. `/a/b%20c.txt`.
    /// - Throws: `RequestPath.Problem` when the path is malformed or could leave the root.
    public init(raw: some StringProtocol) throws(Problem) {
        let bytes = Array(raw.utf8)
        guard bytes.first == UInt8(ascii: "/") else { throw .notAbsolute }
        var segments: [String] = []
        for rawSegment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let decoded = try Self.percentDecode(rawSegment)
            if decoded.contains(0) { throw .nulByte }
            if decoded.contains(UInt8(ascii: "/")) { throw .encodedSeparator }
            guard let name = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
            if name == "." { continue }
            if name == ".." { throw .parentSegment }
            segments.append(name)
        }
        self.segments = segments
        self.hasTrailingSlash = bytes.count > 1 && bytes.last == UInt8(ascii: "/")
    }

    private init(segments: [String], hasTrailingSlash: Bool) {
        self.segments = segments
        self.hasTrailingSlash = hasTrailingSlash
    }

    /// The path relative to the root, for `openat`-style calls; `.` for the root itself.
    public var relative: String {
        segments.isEmpty ? "." : segments.joined(separator: "/")
    }

    /// The last name (used for the content type), or nil for the root.
    public var lastName: String? { segments.last }

    /// This path with one more name appended (e.g. `index.html`).
    public func appending(_ name: String) -> RequestPath {
        RequestPath(segments: segments + [name], hasTrailingSlash: false)
    }

    /// The path percent-encoded again, starting with `/`: safe to put in a `Location` header
    /// (it never starts with `//`, so it cannot be taken for another host).
    public var encoded: String {
        "/" + segments.map(Self.percentEncode).joined(separator: "/")
    }

    public var description: String { "/" + segments.joined(separator: "/") }

    /// Decodes `%XX` escapes in one raw segment.
    static func percentDecode(_ raw: ArraySlice<UInt8>) throws(Problem) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.endIndex,
                      let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2])
                else { throw .malformedEncoding }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters and a few safe sub-delims.
    static func percentEncode(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","),
                 UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
