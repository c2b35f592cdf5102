import Testing

/// Runs ringsum and /usr/bin/sha256sum with the same arguments, directory and stdin, and expects
/// the same stdout byte for byte, the same exit status, and the same stderr once the program name
/// at the start of each line is swapped.
enum SumComparison {
    /// The reference implementation.
    static let sha256sum = "/usr/bin/sha256sum"

    /// Compares the two programs on `arguments`.
    ///
    /// - Parameters:
    ///   - arguments: file names and options.
    ///   - directory: working directory for both.
    ///   - stdin: bytes piped into both, or nil for /dev/null.
    /// - Returns: ringsum's output, for further checks.
    @discardableResult
    static func expectSameAsSha256sum(
        _ arguments: [String], in directory: String, stdin: [UInt8]? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ToolOutput {
        let ours = try ToolRunner.run(ToolRunner.path(of: "ringsum"), arguments, in: directory, stdin: stdin)
        // bash's `exec -a` sets argv[0], which coreutils prints at the start of its messages.
        let reference = try ToolRunner.run(
            "/bin/bash", ["-c", "exec -a sha256sum \(sha256sum) \"$@\"", "sha256sum"] + arguments, in: directory, stdin: stdin)
        let sameStdout = ours.stdout == reference.stdout  // bytes, not decoded text
        #expect(sameStdout,
                "stdout differs:\n--- ringsum\n\(ours.stdoutText)--- sha256sum\n\(reference.stdoutText)", sourceLocation: sourceLocation)
        #expect(ours.status == reference.status, "exit status \(ours.status), sha256sum \(reference.status)", sourceLocation: sourceLocation)
        let renamed = ours.stderrText.replacingOccurrences(of: "ringsum", with: "sha256sum")
        #expect(renamed == reference.stderrText,
                "stderr differs:\n--- ringsum\n\(ours.stderrText)--- sha256sum\n\(reference.stderrText)", sourceLocation: sourceLocation)
        return ours
    }

    /// Like `expectSameAsSha256sum(_:in:stdin:)`, with the arguments given as bash words, e.g.
    /// `$'f\xff'`, for names that are not valid UTF-8 (Foundation passes arguments as Strings).
    ///
    /// - Parameters:
    ///   - words: the arguments, as they would be typed in bash.
    ///   - directory: working directory for both.
    /// - Returns: ringsum's output.
    @discardableResult
    static func expectSameAsSha256sum(
        bashWords words: String, in directory: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ToolOutput {
        try expectSameAsSha256sum(shell: "SUM " + words, in: directory, sourceLocation: sourceLocation)
    }

    /// Runs a bash snippet twice, once with `SUM` running ringsum and once with `SUM` running
    /// sha256sum, and expects the same stdout, exit status and (names swapped) stderr. The snippet
    /// can redirect SUM's descriptors (`SUM - < file`, `SUM f > /dev/full`, `SUM f >&-`) or run
    /// it after other commands (`(head -c 100 >/dev/null; SUM -) < file`).
    ///
    /// - Parameters:
    ///   - snippet: bash commands that call `SUM` with arguments.
    ///   - directory: working directory for both.
    /// - Returns: ringsum's output.
    @discardableResult
    static func expectSameAsSha256sum(
        shell snippet: String, in directory: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ToolOutput {
        // A function, so redirections written after SUM apply to the program itself; `exec -a`
        // sets argv[0], which both print at the start of their messages.
        func script(_ name: String, _ program: String) -> String {
            "SUM() { (exec -a \(name) '\(program)' \"$@\"); }\n" + snippet
        }
        let ours = try ToolRunner.run("/bin/bash", ["-c", script("ringsum", ToolRunner.path(of: "ringsum"))], in: directory, timeout: 120)
        let reference = try ToolRunner.run("/bin/bash", ["-c", script("sha256sum", sha256sum)], in: directory, timeout: 120)
        let sameStdout = ours.stdout == reference.stdout
        #expect(sameStdout, "\(snippet): stdout differs:\n--- ringsum\n\(ours.stdoutText)--- sha256sum\n\(reference.stdoutText)",
                sourceLocation: sourceLocation)
        #expect(ours.status == reference.status, "\(snippet): exit status \(ours.status), sha256sum \(reference.status)",
                sourceLocation: sourceLocation)
        let renamed = ours.stderrText.replacingOccurrences(of: "ringsum", with: "sha256sum")
        #expect(renamed == reference.stderrText,
                "\(snippet): stderr differs:\n--- ringsum\n\(ours.stderrText)--- sha256sum\n\(reference.stderrText)",
                sourceLocation: sourceLocation)
        return ours
    }
}
