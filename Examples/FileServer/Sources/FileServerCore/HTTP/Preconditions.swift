/// Conditional GET/HEAD (RFC 9110 §13): `If-None-Match`, `If-Modified-Since` and `If-Range`.
public enum Preconditions {
    /// Whether the client's cached copy is current, so 304 Not Modified is the answer.
    ///
    /// `If-None-Match` wins when present; `If-Modified-Since` is looked at only without it, and
    /// only in IMF-fixdate form (anything else is ignored).
    ///
    /// - Parameters:
    ///   - ifNoneMatch: the `If-None-Match` value, if any.
    ///   - ifModifiedSince: the `If-Modified-Since` value, if any.
    ///   - metadata: the file's current metadata.
    /// - Returns: true for 304.
    public static func isNotModified(ifNoneMatch: String?, ifModifiedSince: String?, _ metadata: FileMetadata) -> Bool {
        if let ifNoneMatch {
            return EntityTag.noneMatchHeader(ifNoneMatch, matches: metadata.entityTag)
        }
        if let ifModifiedSince, let date = HTTPDate.parse(ifModifiedSince.trimmingSpaces()) {
            return metadata.modifiedSeconds <= date
        }
        return false
    }

    /// Whether a `Range` header may be honoured: yes without `If-Range`, else only when its
    /// entity tag (strong comparison) or date still describes the file.
    ///
    /// - Parameters:
    ///   - ifRange: the `If-Range` value, if any.
    ///   - metadata: the file's current metadata.
    /// - Returns: false when the client's copy is stale and the whole file must be sent instead.
    public static func allowsRange(ifRange: String?, _ metadata: FileMetadata) -> Bool {
        guard let ifRange = ifRange?.trimmingSpaces() else { return true }
        if ifRange.hasPrefix("\"") || ifRange.hasPrefix("W/") {
            return EntityTag.strongMatch(String(ifRange), metadata.entityTag)
        }
        guard let date = HTTPDate.parse(ifRange) else { return false }
        return date == metadata.modifiedSeconds
    }
}
