/// Quotes a file name for an error message the way GNU coreutils does (gnulib `quotef`: the
/// shell-escape style, with ':' quoted too), so ringsum's stderr matches sha256sum's:
///
/// - `plain.txt` stays as it is;
/// - `a b`, `a:b`, `mi\ss` become `'a b'`, `'a:b'`, `'mi\ss'`;
/// - a name whose only odd characters are spaces and single quotes goes in double quotes: `"it's"`;
/// - other single quotes become `'\''`, and control characters `'$'\n''`-style escapes.
///
/// Bytes 0x80 and above are escaped in octal, as coreutils does in the C locale; under a UTF-8
/// locale coreutils prints printable non-ASCII characters as they are, so messages can then differ
/// for such names (the checksum lines never do).
enum ShellQuoting {
    /// The quoted form of `name`.
    ///
    /// - Parameter name: a file name's raw bytes.
    /// - Returns: the bytes to print.
    static func quote(_ name: [UInt8]) -> [UInt8] {
        if name.isEmpty { return Array("''".utf8) }
        var needsQuotes = false
        var hasSingleQuote = false
        var doubleQuoteCompatible = true
        for (index, byte) in name.enumerated() {
            switch classify(byte, at: index, count: name.count) {
            case .plain: break
            case .quoteOnlyCompatible: needsQuotes = true
            case .singleQuote:
                needsQuotes = true
                hasSingleQuote = true
            case .special, .control:
                needsQuotes = true
                doubleQuoteCompatible = false
            }
        }
        if !needsQuotes { return name }
        let quote = UInt8(ascii: "'")
        if hasSingleQuote && doubleQuoteCompatible {
            return [UInt8(ascii: "\"")] + name + [UInt8(ascii: "\"")]
        }
        var result: [UInt8] = [quote]
        var insideDollarQuote = false
        for (index, byte) in name.enumerated() {
            if classify(byte, at: index, count: name.count) == .control {
                if !insideDollarQuote {
                    result += Array("'$'".utf8)
                    insideDollarQuote = true
                }
                result += escape(byte)
                continue
            }
            if byte == quote {
                result += Array("'\\''".utf8)
                insideDollarQuote = false
                continue
            }
            if insideDollarQuote {
                result += [quote, quote]
                insideDollarQuote = false
            }
            result.append(byte)
        }
        result.append(quote)
        return result
    }

    /// How one byte affects quoting.
    private enum Kind: Equatable {
        /// Needs nothing: letters, digits, `%+,-./@]_` and similar.
        case plain
        /// Forces quotes but allows the double-quote form: a space; `#`/`~` first; `{`/`}` alone.
        case quoteOnlyCompatible
        /// A single quote.
        case singleQuote
        /// Forces single quotes: shell specials, `:` and `\`.
        case special
        /// Needs a `$'…'` escape: control characters, DEL and non-ASCII bytes.
        case control
    }

    private static func classify(_ byte: UInt8, at index: Int, count: Int) -> Kind {
        switch byte {
        case 0x00...0x1F, 0x7F...0xFF: return .control
        case UInt8(ascii: " "): return .quoteOnlyCompatible
        case UInt8(ascii: "#"), UInt8(ascii: "~"): return index == 0 ? .quoteOnlyCompatible : .plain
        case UInt8(ascii: "{"), UInt8(ascii: "}"): return count == 1 ? .quoteOnlyCompatible : .plain
        case UInt8(ascii: "'"): return .singleQuote
        case UInt8(ascii: "!"), UInt8(ascii: "\""), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: "="),
             UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "|"),
             UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "\\"):
            return .special
        default: return .plain
        }
    }

    /// The escape for a control byte inside `$'…'`: `\n`, `\t`, … or three octal digits.
    private static func escape(_ byte: UInt8) -> [UInt8] {
        let named: [UInt8: Character] = [0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r"]
        if let letter = named[byte] { return Array("\\\(letter)".utf8) }
        let digits = [byte >> 6, (byte >> 3) & 7, byte & 7].map { UInt8(ascii: "0") + $0 }
        return [UInt8(ascii: "\\")] + digits
    }
}
