/// Splitting paths into directory and last component, as dirname(1) and basename(1) do.
enum PathNames {
    /// The last component of `path`, ignoring trailing slashes ("a/b/" → "b"); "" for "/" or "".
    ///
    /// - Parameter path: any path.
    /// - Returns: the file or directory name it ends with.
    static func lastComponent(_ path: String) -> String {
        let trimmed = path.reversed().drop { $0 == "/" }.reversed()
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The directory part of `path` ("a/b" → "a", "b" → ".", "/b" → "/").
    ///
    /// - Parameter path: a path that names a file (no trailing slash).
    /// - Returns: the directory that holds it.
    static func directory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = path[..<slash].reversed().drop { $0 == "/" }.reversed()
        return head.isEmpty ? "/" : String(head)
    }

    /// `directory` and `name` joined with one slash.
    ///
    /// - Parameters:
    ///   - directory: a directory path (may end with "/").
    ///   - name: a single path component.
    /// - Returns: the joined path.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
