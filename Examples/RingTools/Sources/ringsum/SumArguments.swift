/// What the command line asks ringsum to do, parsed like GNU getopt_long parses sha256sum's
/// arguments: options may come anywhere before `--`, are handled left to right (so `--help` acts
/// where it stands, before a later bad option, after an earlier one), long options may be
/// abbreviated to an unambiguous prefix, and `-` alone means standard input.
///
/// The option table is sha256sum's (coreutils 9.1), so unknown, ambiguous and argument errors read
/// exactly like sha256sum's. Of its options ringsum implements `-b`/`--binary`, `-t`/`--text`,
/// `--help` and `--version`; `-c`/`--check`, `--tag` and `-z`/`--zero` are refused as not
/// supported, and the options that only make sense with `--check` fail as sha256sum's do without it.
enum SumArguments: Equatable {
    /// Hash these inputs in order.
    case hash(SumRequest)
    /// Print the help text and exit 0.
    case help
    /// Print the version text and exit 0.
    case version
    /// Print "ringsum: " and this message, then the "Try --help" line, to stderr and exit 1.
    case usageError([UInt8])

    /// sha256sum's long options, in the order of its table (getopt_long lists ambiguous
    /// candidates in this order).
    private enum LongOption: String, CaseIterable {
        case check, ignoreMissing = "ignore-missing", quiet, status, warn, strict, tag, zero, binary, text, help, version
    }

    /// What the options asked for, gathered before the checks that look at all of them.
    private struct Flags {
        var binary = false
        var check = false
        var tag = false
        var zero = false
        var ignoreMissing = false
        var quiet = false
        var status = false
        var warn = false
        var strict = false
    }

    /// Parses the arguments after the program name.
    ///
    /// - Parameter arguments: raw argument bytes (see `CommandLineBytes`).
    /// - Returns: what to do.
    static func parse(_ arguments: [[UInt8]]) -> SumArguments {
        var files: [[UInt8]] = []
        var flags = Flags()
        var optionsEnded = false
        let dash = UInt8(ascii: "-")
        for argument in arguments {
            if optionsEnded || argument.count < 2 || argument[0] != dash {
                files.append(argument)  // includes "-" itself
                continue
            }
            if argument == [dash, dash] {
                optionsEnded = true
                continue
            }
            if argument[1] == dash {
                switch parseLong(Array(argument.dropFirst(2))) {
                case .success(.help): return .help
                case .success(.version): return .version
                case .success(let option): apply(option, to: &flags)
                case .failure(let error): return .usageError(error.message)
                }
                continue
            }
            for letter in argument.dropFirst() {
                guard let option = shortOptions[letter] else {
                    return .usageError(Array("invalid option -- '".utf8) + [letter] + Array("'".utf8))
                }
                apply(option, to: &flags)
            }
        }
        if let message = conflict(in: flags) { return .usageError(Array(message.utf8)) }
        return .hash(SumRequest(files: files.isEmpty ? [[dash]] : files, binary: flags.binary))
    }

    /// A usage error found while matching a long option.
    private struct OptionError: Error {
        let message: [UInt8]
    }

    /// Matches `--NAME` or `--NAME=VALUE` (given without the dashes) like getopt_long: an exact
    /// name, else a prefix of exactly one option; none of sha256sum's options takes a value.
    private static func parseLong(_ text: [UInt8]) -> Result<LongOption, OptionError> {
        let equals = text.firstIndex(of: UInt8(ascii: "="))
        let name = Array(text[..<(equals ?? text.endIndex)])
        let shown = Array("'--".utf8) + text + Array("'".utf8)  // the whole argument, value included
        let option: LongOption
        if let exact = LongOption.allCases.first(where: { Array($0.rawValue.utf8) == name }) {
            option = exact
        } else {
            let candidates = LongOption.allCases.filter { $0.rawValue.utf8.starts(with: name) }
            guard let first = candidates.first else {
                return .failure(OptionError(message: Array("unrecognized option ".utf8) + shown))
            }
            guard candidates.count == 1 else {
                let possibilities = candidates.map { " '--\($0.rawValue)'" }.joined()
                return .failure(OptionError(message: Array("option ".utf8) + shown + Array(" is ambiguous; possibilities:\(possibilities)".utf8)))
            }
            option = first
        }
        guard equals == nil else {
            return .failure(OptionError(message: Array("option '--\(option.rawValue)' doesn't allow an argument".utf8)))
        }
        return .success(option)
    }

    /// sha256sum's short options: `-b -c -t -w -z`.
    private static let shortOptions: [UInt8: LongOption] = [
        UInt8(ascii: "b"): .binary, UInt8(ascii: "c"): .check, UInt8(ascii: "t"): .text,
        UInt8(ascii: "w"): .warn, UInt8(ascii: "z"): .zero,
    ]

    private static func apply(_ option: LongOption, to flags: inout Flags) {
        switch option {
        case .binary: flags.binary = true
        case .text: flags.binary = false
        case .check: flags.check = true
        case .tag: flags.tag = true
        case .zero: flags.zero = true
        case .ignoreMissing: flags.ignoreMissing = true
        case .quiet: flags.quiet = true
        case .status: flags.status = true
        case .warn: flags.warn = true
        case .strict: flags.strict = true
        case .help, .version: break  // handled where they stand
        }
    }

    /// The first problem with the options taken together: `--check` is not supported; the
    /// options meaningful only with it fail with sha256sum's messages, in sha256sum's order; then
    /// the unsupported output formats.
    private static func conflict(in flags: Flags) -> String? {
        if flags.check {
            return "--check (-c) is not supported: ringsum only computes checksums; verify them with 'sha256sum -c'"
        }
        let checkOnly: [(Bool, String)] = [
            (flags.ignoreMissing, "ignore-missing"), (flags.status, "status"), (flags.warn, "warn"),
            (flags.quiet, "quiet"), (flags.strict, "strict"),
        ]
        if let (_, name) = checkOnly.first(where: { $0.0 }) {
            return "the --\(name) option is meaningful only when verifying checksums"
        }
        if flags.tag {
            return "--tag is not supported: ringsum prints only sha256sum's default format"
        }
        if flags.zero {
            return "--zero (-z) is not supported: ringsum ends every line with a newline"
        }
        return nil
    }

    /// The text `--help` prints.
    static let helpText = """
        Usage: ringsum [OPTION]... [FILE]...
        Print SHA-256 (256-bit) checksums, in the format of sha256sum(1), reading the files
        through io_uring with registered buffers (READ_FIXED) and reads ahead in flight.

        With no FILE, or when FILE is -, read standard input (a pipe, terminal or file).

          -b, --binary   mark each name with '*' (binary mode; the bytes read are the same)
          -t, --text     mark each name with ' ' (text mode, the default)
              --help     display this help and exit
              --version  output version information and exit

        Each line is the checksum, a space, ' ' or '*' for the mode, and the name. A name
        holding a backslash, newline or carriage return is printed with those escaped
        (\\\\, \\n, \\r) and the line starts with a backslash, as sha256sum does. Files that
        cannot be read are reported on stderr ("ringsum: NAME: reason"); the others are
        still hashed, and the exit status is then 1.

        Not supported: -c/--check (use sha256sum -c) and its options, --tag, -z/--zero.

        """

    /// The text `--version` prints.
    static let versionText = """
        ringsum (RingTools)
        SHA-256 checksums in the format of GNU sha256sum, read through io_uring with RingIO.

        """
}

/// What to hash, and how to print it.
struct SumRequest: Equatable {
    /// The inputs in order (file names, or `-` for stdin).
    var files: [[UInt8]]
    /// Binary mode (`-b`): `*` before each name instead of a space.
    var binary: Bool
}
