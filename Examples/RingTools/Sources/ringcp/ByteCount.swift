import ArgumentParser

/// A size given on the command line: plain bytes, or with a K, M or G suffix (powers of 1024),
/// e.g. `4096`, `256K`, `1M`, `1MiB`.
struct ByteCount: Sendable, Hashable, ExpressibleByArgument, CustomStringConvertible {
    /// The size in bytes.
    let bytes: Int

    /// Creates a size of `bytes` bytes.
    init(_ bytes: Int) {
        self.bytes = bytes
    }

    /// Parses a command-line value; nil (ArgumentParser then reports it) for anything else.
    ///
    /// - Parameter argument: digits followed by an optional K/M/G (with optional "iB" or "B").
    init?(argument: String) {
        var text = Substring(argument.uppercased())
        for suffix in ["IB", "B"] where text.hasSuffix(suffix) && text.count > suffix.count {
            text = text.dropLast(suffix.count)
            break
        }
        var shift = 0
        switch text.last {
        case "K": shift = 10
        case "M": shift = 20
        case "G": shift = 30
        default: break
        }
        if shift > 0 { text = text.dropLast() }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let value = Int(text), value >= 0,
              value <= Int.max >> shift
        else { return nil }
        bytes = value << shift
    }

    /// The size as the user would write it, e.g. "256K".
    var description: String {
        if bytes > 0 && bytes % (1 << 30) == 0 { return "\(bytes >> 30)G" }
        if bytes > 0 && bytes % (1 << 20) == 0 { return "\(bytes >> 20)M" }
        if bytes > 0 && bytes % (1 << 10) == 0 { return "\(bytes >> 10)K" }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }
}
