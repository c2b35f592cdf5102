/// One output line in sha256sum's format: `<64 hex digits>  <name>\n`, or with `-b`
/// `<64 hex digits> *<name>\n` (binary mode marks the name with `*`).
///
/// A name holding a backslash, newline or carriage return is written with `\\`, `\n` and `\r`
/// in their place, and the line starts with a backslash, exactly as GNU coreutils 9 does, so each
/// checksum stays on one line and `sha256sum -c` can read it back.
enum ChecksumLine {
    /// The line for `digest` of the input named `name`.
    ///
    /// - Parameters:
    ///   - digest: the 32 bytes of the SHA-256 digest.
    ///   - name: the name as given on the command line (raw bytes; `-` for stdin).
    ///   - binary: binary mode: `*` instead of the second space.
    /// - Returns: the line's bytes, newline included.
    static func make(digest: some Sequence<UInt8>, name: [UInt8], binary: Bool = false) -> [UInt8] {
        let backslash = UInt8(ascii: "\\")
        let needsEscape = name.contains { $0 == backslash || $0 == 0x0A || $0 == 0x0D }
        var line: [UInt8] = []
        line.reserveCapacity(68 + name.count * (needsEscape ? 2 : 1))
        if needsEscape { line.append(backslash) }
        let hex = Array("0123456789abcdef".utf8)
        for byte in digest {
            line.append(hex[Int(byte >> 4)])
            line.append(hex[Int(byte & 0x0F)])
        }
        line.append(contentsOf: [0x20, binary ? UInt8(ascii: "*") : 0x20])
        for byte in name {
            guard needsEscape else {
                line.append(byte)
                continue
            }
            switch byte {
            case backslash: line.append(contentsOf: [backslash, backslash])
            case 0x0A: line.append(contentsOf: [backslash, UInt8(ascii: "n")])
            case 0x0D: line.append(contentsOf: [backslash, UInt8(ascii: "r")])
            default: line.append(byte)
            }
        }
        line.append(0x0A)
        return line
    }
}
