import Glibc
import RingIO
import ToolSupport

/// Where the copy ends up: the final path, and the directory the temporary file goes to.
struct CopyTarget: Sendable {
    /// The path the copy is renamed to after success: DST (or DST/NAME), or, when that is a
    /// symbolic link, the file the link resolves to (realpath), so the link itself stays.
    let finalPath: String
    /// The directory holding `finalPath`, where the temporary file is created (same file system,
    /// so the rename is atomic).
    let directory: String
    /// The last component of `finalPath`.
    let name: String
    /// The status of the regular file at `finalPath` now, or nil when nothing is there.
    let existing: FileStatus?

    /// Works out the destination like cp(1): DST itself, or DST/SRC-name when DST is a directory;
    /// a symbolic link there is followed to its target, which is what gets replaced.
    ///
    /// - Parameters:
    ///   - source: SRC as given.
    ///   - destination: DST as given.
    ///   - executor: the ring that runs the statx calls.
    /// - Returns: the target.
    /// - Throws: `CopyError`: DST ends with "/" but is not a directory, the final path is a
    ///   directory, a FIFO, socket or device (only regular files are replaced), a dangling symbolic
    ///   link, or statx or realpath failed with anything but ENOENT (ENOTDIR, EACCES, ELOOP, …).
    /// - Note: issues IORING_OP_STATX (once or twice); lstat(2) and realpath(3) directly for
    ///   symbolic links (io_uring's STATX would do for the first, there is no opcode for the second).
    static func resolve(source: String, destination: String, on executor: RingExecutor) async throws -> CopyTarget {
        var finalPath = destination
        var existing = try await status(of: destination, on: executor)
        if let found = existing, found.kind == .directory {
            let name = PathNames.lastComponent(source)
            guard !name.isEmpty, name != ".", name != ".." else {
                throw CopyError("cannot copy \(quoted(source)) into the directory \(quoted(destination)): the source path has no file name")
            }
            finalPath = PathNames.join(destination, name)
            existing = try await status(of: finalPath, on: executor)
            if let found = existing, found.kind == .directory {
                throw CopyError("cannot overwrite the directory \(quoted(finalPath)) with the file \(quoted(source))")
            }
        } else if destination.hasSuffix("/") {
            throw CopyError("cannot create \(quoted(destination)): it ends with '/' but is not an existing directory (ENOTDIR)")
        }
        // A symbolic link is written through, like cp: the temporary file goes next to the file
        // the link resolves to and is renamed over that file, so the link stays as it is.
        if isSymbolicLink(finalPath) {
            guard existing != nil else {
                throw CopyError("not writing through the dangling symbolic link \(quoted(finalPath)) (its target does not exist)")
            }
            finalPath = try resolvedPath(of: finalPath)
        }
        // Only a regular file is replaced: renaming over a FIFO, socket or device node would put a
        // regular file in its place (think of /dev/null).
        if let found = existing, found.kind != .regular {
            throw CopyError("refusing to replace \(quoted(finalPath)): it is \(describe(found.kind)), not a regular file; ringcp replaces regular files only")
        }
        return CopyTarget(
            finalPath: finalPath, directory: PathNames.directory(finalPath),
            name: PathNames.lastComponent(finalPath), existing: existing)
    }

    /// A file kind with its article, for messages: "a FIFO (named pipe)", "a socket", ….
    ///
    /// - Parameter kind: what statx reported.
    /// - Returns: the phrase.
    static func describe(_ kind: FileStatus.Kind) -> String {
        switch kind {
        case .regular: return "a regular file"
        case .directory: return "a directory"
        case .symbolicLink: return "a symbolic link"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .fifo: return "a FIFO (named pipe)"
        case .socket: return "a socket"
        case .unknown: return "a file of unknown type"
        }
    }

    /// Whether `path` itself is a symbolic link (lstat(2); false when it cannot be examined, in
    /// which case the statx that followed it has already reported the problem).
    private static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    /// The absolute path `path` resolves to, every symbolic link followed (realpath(3)).
    ///
    /// - Throws: `CopyError` with the errno (ELOOP, EACCES, ENOENT when the link changed meanwhile, …).
    private static func resolvedPath(of path: String) throws -> String {
        guard let resolved = realpath(path, nil) else {
            let code = errno
            throw CopyError("cannot resolve the symbolic link \(quoted(path)): \(errnoText(code)) (errno \(code))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The status of `path`, nil when nothing is there.
    ///
    /// - Throws: `CopyError` for failures other than ENOENT.
    /// - Note: issues IORING_OP_STATX.
    private static func status(of path: String, on executor: RingExecutor) async throws -> FileStatus? {
        do {
            return try await File.status(of: path, on: executor)
        } catch let error as RingIOError where error.errno == .noSuchFileOrDirectory {
            return nil
        } catch let error as RingIOError {
            throw CopyError("cannot use the destination \(quoted(path))", error)
        }
    }
}
