import RingIO
import ToolSupport

/// Why one input could not be hashed, worded as sha256sum words it after "NAME: ".
struct InputFailure: Error {
    /// The reason, e.g. "No such file or directory".
    let reason: String

    /// A failure with the C library's text for `code`.
    ///
    /// - Parameter code: an errno value.
    init(errno code: Int32) {
        reason = errnoText(code)
    }

    /// A failure from RingIO: strerror's text when the kernel said no (as coreutils prints it),
    /// RingIO's whole description otherwise (shut down, invalid argument found before the kernel).
    ///
    /// - Parameter error: what RingIO threw.
    init(_ error: RingIOError) {
        if error.code == .system, let code = error.errno {
            reason = errnoText(code.rawValue)
        } else {
            reason = error.description
        }
    }
}
