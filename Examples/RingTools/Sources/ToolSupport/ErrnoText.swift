import Glibc

/// The C library's text for an errno value, e.g. "No such file or directory" for ENOENT.
///
/// - Parameter code: an errno value (positive).
/// - Returns: strerror's message, as coreutils prints it after a file name.
public func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "Unknown error \(code)" }
    return String(cString: text)
}
