import Glibc

/// Messages for people, on standard error (descriptor 2), one line each.
public enum StandardError {
    /// Writes `line` and a newline to stderr; a failing stderr is ignored (nowhere left to report it).
    ///
    /// - Parameter line: the message, without its newline.
    public static func print(_ line: String) {
        writeAll(2, line + "\n")
    }

    /// Writes raw bytes followed by a newline to stderr, for names that need not be valid UTF-8.
    ///
    /// - Parameter line: the message's bytes, without the newline.
    public static func print(bytes line: [UInt8]) {
        writeAll(2, line + [UInt8(ascii: "\n")])
    }

    /// Whether stderr is a terminal (isatty), e.g. to decide on drawing a progress bar.
    public static var isTerminal: Bool { isatty(2) == 1 }
}
