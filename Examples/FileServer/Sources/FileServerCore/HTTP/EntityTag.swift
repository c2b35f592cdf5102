/// Entity-tag lists as in `If-None-Match` and `If-Range` (RFC 9110 §8.8.3, §13.1.2).
public enum EntityTag {
    /// Whether an `If-None-Match` value matches `tag` (weak comparison: `W/` prefixes are ignored).
    ///
    /// - Parameters:
    ///   - header: the header value: `*`, or a comma-separated list of quoted tags.
    ///   - tag: the resource's current tag, quoted (e.g. `"1f-400-0"`).
    /// - Returns: true when `*` or any listed tag has the same opaque value.
    public static func noneMatchHeader(_ header: String, matches tag: String) -> Bool {
        if header.trimmingSpaces() == "*" { return true }
        let wanted = opaque(tag[...])
        return parseList(header).contains { $0.opaque == wanted }
    }

    /// Whether an `If-Range` entity tag matches `tag` (strong comparison: a weak tag never matches).
    public static func strongMatch(_ candidate: String, _ tag: String) -> Bool {
        let trimmed = candidate.trimmingSpaces()
        guard !trimmed.hasPrefix("W/") else { return false }
        return trimmed == tag[...]
    }

    /// The tags of a list, with whether each was weak; stops at the first malformed element.
    static func parseList(_ header: String) -> [(weak: Bool, opaque: Substring)] {
        var result: [(weak: Bool, opaque: Substring)] = []
        var rest = header[...]
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            if rest.isEmpty { break }
            var weak = false
            if rest.hasPrefix("W/") {
                weak = true
                rest = rest.dropFirst(2)
            }
            guard rest.first == "\"" else { break }
            let body = rest.dropFirst()
            guard let close = body.firstIndex(of: "\"") else { break }
            result.append((weak, body[..<close]))
            rest = body[body.index(after: close)...]
        }
        return result
    }

    /// A quoted tag's opaque part (without `W/` and quotes).
    static func opaque(_ tag: Substring) -> Substring {
        var text = tag
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.count >= 2, text.first == "\"", text.last == "\"" { return text.dropFirst().dropLast() }
        return text
    }
}
