import RingIO

/// The file the copy is written to before it is renamed into place: `.NAME.ringcp-XXXXXX` in the
/// destination's directory, created exclusively and readable by the owner only until the copy is done.
struct TemporaryFile: Sendable {
    /// Its path.
    let path: String
    /// The open file (write-only; O_DIRECT with `--direct`).
    let file: File

    /// Creates a new temporary file next to `target.finalPath`.
    ///
    /// - Parameters:
    ///   - target: where the copy goes.
    ///   - direct: open it with O_DIRECT.
    ///   - executor: the ring that opens it.
    /// - Returns: the open temporary file.
    /// - Throws: `CopyError` naming the directory and the temporary path (EACCES, ENOENT, ENOTDIR,
    ///   EROFS, EINVAL for O_DIRECT on a file system without it, …).
    /// - Note: issues IORING_OP_OPENAT with O_CREAT | O_EXCL (and IORING_OP_STATX for O_DIRECT);
    ///   retries with another name when one exists already.
    static func create(for target: CopyTarget, direct: Bool, on executor: RingExecutor) async throws -> TemporaryFile {
        var options: File.Options = [.create, .exclusive]
        if direct { options.insert(.direct) }
        var attempt = 0
        while true {
            attempt += 1
            let path = PathNames.join(target.directory, name(for: target.name))
            do {
                let file = try await File.open(path, mode: .writeOnly, options: options, permissions: 0o600, on: executor)
                return TemporaryFile(path: path, file: file)
            } catch let error as RingIOError where error.errno == .fileExists && attempt < 16 {
                continue
            } catch let error as RingIOError {
                var context = "cannot create a temporary file in \(quoted(target.directory)) for \(quoted(target.finalPath))"
                if direct && error.errno == .invalidArgument {
                    context += " (the file system may not support O_DIRECT; try without --direct)"
                }
                throw CopyError(context, error)
            }
        }
    }

    /// A fresh temporary name for the final name `name`: `.NAME.ringcp-` and six random letters or
    /// digits, with NAME shortened so the whole stays under NAME_MAX (255 bytes).
    ///
    /// - Parameter name: the final file name.
    /// - Returns: the temporary file name (one path component).
    static func name(for name: String) -> String {
        var kept = ""
        var bytes = 0
        for character in name {
            bytes += character.utf8.count
            if bytes > 200 { break }
            kept.append(character)
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        let suffix = String((0..<6).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        return "." + kept + ".ringcp-" + suffix
    }
}
