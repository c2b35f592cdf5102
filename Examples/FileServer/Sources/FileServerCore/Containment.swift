import Glibc

/// Checks that an opened file lies inside the served root, whatever symbolic links led to it.
///
/// After a file is opened, the kernel knows its real path: `readlink("/proc/self/fd/N")`. This is
/// checked against the root's real path (`realpath(3)` at start-up), so a link inside the root that
/// points to `/etc` is refused, while links that stay inside are served. Checking the opened
/// descriptor (not the path beforehand) leaves no window for the path to change between check and
/// open. Where `/proc` is not mounted, `realpath(3)` of the path is used instead (racy, but still
/// refuses static links out of the root).
public enum Containment {
    /// The canonical path of `path` (`realpath(3)`), or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The path the kernel has for an open descriptor, from `/proc/self/fd`, or nil without `/proc`.
    public static func path(ofDescriptor fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/fd/\(fd)", &buffer, Int(PATH_MAX))
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `path` is `root` or lies below it (component-wise: `/srv/www2` is not inside `/srv/www`).
    public static func isInside(_ path: String, root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }

    /// Whether the open descriptor `fd`, opened from `fullPath`, lies inside `root`.
    ///
    /// - Parameters:
    ///   - fd: the open descriptor.
    ///   - fullPath: the path it was opened with (root + relative path), for the fallback.
    ///   - root: the root's canonical path.
    public static func descriptor(_ fd: Int32, openedFrom fullPath: String, isInside root: String) -> Bool {
        guard let actual = path(ofDescriptor: fd) ?? realPath(fullPath) else { return false }
        return isInside(actual, root: root)
    }
}
