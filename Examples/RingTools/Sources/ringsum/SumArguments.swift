/// What the command line asks ringsum to do, parsed like GNU getopt_long: options may come
/// anywhere before `--`; `-` alone means standard input; no file at all means standard input.
enum SumArguments: Equatable {
    /// Hash these inputs in order (each a file name, or `-` for stdin).
    case files([[UInt8]])
    /// Print the help text and exit 0.
    case help
    /// Print this message and the "Try --help" line to stderr and exit 1.
    case usageError(String)

    /// Parses the arguments after the program name.
    ///
    /// - Parameter arguments: raw argument bytes (see `CommandLineBytes`).
    /// - Returns: what to do.
    static func parse(_ arguments: [[UInt8]]) -> SumArguments {
        var files: [[UInt8]] = []
        var optionsEnded = false
        var help = false
        let dash = UInt8(ascii: "-")
        for argument in arguments {
            if optionsEnded || argument.count < 2 || argument[0] != dash {
                files.append(argument)  // includes "-" itself
                continue
            }
            if argument == [dash, dash] {
                optionsEnded = true
            } else if argument[1] == dash {
                let text = String(decoding: argument, as: UTF8.self)
                // getopt_long accepts unambiguous prefixes of long options: --h, --he, --hel, --help.
                if text.count > 2, "--help".hasPrefix(text) {
                    help = true
                } else {
                    return .usageError("unrecognized option '\(text)'")
                }
            } else {
                let letter = String(decoding: argument[1...1], as: UTF8.self)
                return .usageError("invalid option -- '\(letter)'")
            }
        }
        if help { return .help }
        return .files(files.isEmpty ? [[dash]] : files)
    }

    /// The text `--help` prints.
    static let helpText = """
        Usage: ringsum [FILE]...
        Print SHA-256 (256-bit) checksums, in the format of sha256sum(1), reading the files
        through io_uring with registered buffers (READ_FIXED) and reads ahead in flight.

        With no FILE, or when FILE is -, read standard input (a pipe, terminal or file).

          --help     display this help and exit

        Each line is the checksum, two spaces and the name. A name holding a backslash,
        newline or carriage return is printed with those escaped (\\\\, \\n, \\r) and the
        line starts with a backslash, as sha256sum does. Files that cannot be read are
        reported on stderr ("ringsum: NAME: reason"); the others are still hashed, and the
        exit status is then 1.

        """
}
