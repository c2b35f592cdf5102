import RingIO

/// Where the copy ends up: the final path, and the directory the temporary file goes to.
struct CopyTarget: Sendable {
    /// The path the copy is renamed to after success.
    let finalPath: String
    /// The directory holding `finalPath`, where the temporary file is created (same file system,
    /// so the rename is atomic).
    let directory: String
    /// The last component of `finalPath`.
    let name: String
    /// The status of whatever is at `finalPath` now, or nil when nothing is.
    let existing: FileStatus?

    /// Works out the destination like cp(1): DST itself, or DST/SRC-name when DST is a directory.
    ///
    /// - Parameters:
    ///   - source: SRC as given.
    ///   - destination: DST as given.
    ///   - executor: the ring that runs the statx calls.
    /// - Returns: the target.
    /// - Throws: `CopyError`: DST ends with "/" but is not a directory, the final path is a
    ///   directory, or statx failed with anything but ENOENT (ENOTDIR, EACCES, …).
    /// - Note: issues IORING_OP_STATX (once or twice).
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
        return CopyTarget(
            finalPath: finalPath, directory: PathNames.directory(finalPath),
            name: PathNames.lastComponent(finalPath), existing: existing)
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
