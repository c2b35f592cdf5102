import Glibc
import RingIO
import ToolSupport

/// What a finished copy did, for the summary line.
struct CopyResult: Sendable {
    /// The final path written.
    let destination: String
    /// The file's size.
    let size: Int64
    /// Bytes actually read and written (less than `size` when holes were skipped).
    let dataBytes: Int64
}

/// One copy from start to end: open, plan, pipeline, ftruncate, chmod, fsync, rename; and on any
/// failure, removal of the temporary file.
struct CopyJob: Sendable {
    /// What to copy and how.
    let request: CopyRequest
    /// The executor whose ring does the I/O; the job must run inside `executor.run`.
    let executor: RingExecutor

    /// Copies `request.source` to its destination.
    ///
    /// - Returns: what was copied.
    /// - Throws: `CopyError` saying what failed, on which path, and why (RingIO's description
    ///   with errno name and hint); the temporary file is gone by then and DST is untouched.
    /// - Note: issues IORING_OP_STATX (of SRC before it is opened, so a FIFO is refused without
    ///   waiting for a writer), IORING_OP_OPENAT (O_NONBLOCK, cleared with fcntl(2) once the file
    ///   is known to be regular), IORING_OP_READ_FIXED / IORING_OP_WRITE_FIXED,
    ///   IORING_OP_FTRUNCATE, IORING_OP_FSYNC, IORING_OP_CLOSE and IORING_OP_RENAMEAT; fchmod(2)
    ///   and lseek(2) SEEK_DATA/SEEK_HOLE directly (io_uring has no opcode for them).
    func run() async throws -> CopyResult {
        let sourcePath = request.source
        // Look before opening: opening a FIFO for reading waits for a writer, possibly forever.
        let found = try await CopyError.wrapping("cannot open the source \(quoted(sourcePath))") {
            try await File.status(of: sourcePath, on: executor)
        }
        try Self.requireRegularSource(found.kind, sourcePath)
        // O_NONBLOCK: should a FIFO be put in its place before the open, the open returns at once
        // and the check in `copy(from:)` refuses it. Cleared again before the first read.
        var options: File.Options = [.nonBlocking]
        if request.direct { options.insert(.direct) }
        let source: File
        do {
            source = try await File.open(sourcePath, options: options, on: executor)
        } catch let error as RingIOError {
            var context = "cannot open the source \(quoted(sourcePath))"
            if request.direct && error.errno == .invalidArgument {
                context += " (the file system may not support O_DIRECT; try without --direct)"
            }
            throw CopyError(context, error)
        }
        let result: CopyResult
        do {
            result = try await copy(from: source)
        } catch {
            try? await source.close()
            throw error
        }
        try? await source.close()
        return result
    }

    /// Checks the source, works out the destination, and copies through a temporary file that is
    /// removed again if anything fails.
    ///
    /// - Parameter source: the open source.
    /// - Returns: what was copied.
    /// - Throws: `CopyError`.
    private func copy(from source: File) async throws -> CopyResult {
        let sourcePath = request.source
        let status = try await CopyError.wrapping("cannot stat the source \(quoted(sourcePath))") {
            try await source.status()
        }
        try Self.requireRegularSource(status.kind, sourcePath)
        if let fd = source.descriptor {
            let flags = fcntl(fd, F_GETFL)
            if flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 {
                let code = errno
                throw CopyError("cannot clear O_NONBLOCK on the source \(quoted(sourcePath)): \(errnoText(code)) (errno \(code))")
            }
        }
        let target = try await CopyTarget.resolve(source: sourcePath, destination: request.destination, on: executor)
        if target.existing != nil, let fd = source.descriptor, SameFile.check(fd, target.finalPath) {
            throw CopyError("\(quoted(sourcePath)) and \(quoted(target.finalPath)) are the same file")
        }

        let temporary = try await TemporaryFile.create(for: target, direct: request.direct, on: executor)
        InterruptCleanup.arm(temporary.path)
        let result: CopyResult
        do {
            result = try await fill(temporary, from: source, status: status, target: target)
        } catch {
            try? await temporary.file.close()
            try? await File.remove(temporary.path, on: executor)
            InterruptCleanup.disarm()
            throw error
        }
        InterruptCleanup.disarm()
        await syncDirectory(target.directory)
        return result
    }

    /// Refuses a source that is not a regular file (directory, FIFO, socket, device).
    ///
    /// - Throws: `CopyError` naming the path and what it is.
    private static func requireRegularSource(_ kind: FileStatus.Kind, _ path: String) throws {
        guard kind == .regular else {
            throw CopyError("\(quoted(path)) is \(CopyTarget.describe(kind)), not a regular file; ringcp copies regular files only")
        }
    }

    /// Writes the copy into the temporary file, gives it SRC's permission bits, syncs and closes
    /// it, and renames it to the final path.
    ///
    /// - Throws: `CopyError`; the caller removes the temporary file.
    private func fill(_ temporary: TemporaryFile, from source: File, status: FileStatus, target: CopyTarget) async throws -> CopyResult {
        let destination = temporary.file
        let chunkSize = executor.buffers.bufferSize
        let direct = request.direct ? try DirectAlignment(source: source, destination: destination, chunkSize: chunkSize) : nil
        let extents = source.descriptor.map { DataExtents.find(in: $0, size: status.size) } ?? [0..<status.size]
        let plan = ChunkPlan(extents: extents, size: status.size, chunkSize: chunkSize)
        let progress = CopyProgress(total: plan.dataBytes, drawsBar: !request.quiet && StandardError.isTerminal)
        defer { progress.finish() }
        let pipeline = CopyPipeline(
            source: source, destination: destination, plan: plan, direct: direct, progress: progress,
            // A pool made smaller for RLIMIT_MEMLOCK has fewer buffers than asked for.
            inFlight: min(request.inFlight, executor.buffers.count), destinationName: target.finalPath)
        try await pipeline.run()

        // Skipped holes at the end, or O_DIRECT padding after the tail: set the exact size.
        try await CopyError.wrapping("cannot set the size of \(quoted(temporary.path))") {
            try await destination.truncate(to: status.size)
        }
        if let fd = destination.descriptor, fchmod(fd, mode_t(status.permissions)) != 0 {
            let code = errno
            throw CopyError("cannot set the permissions of \(quoted(temporary.path)) to \(String(status.permissions, radix: 8)): \(errnoText(code)) (errno \(code))")
        }
        try await CopyError.wrapping("cannot sync \(quoted(temporary.path)) to the device") {
            try await destination.sync()
        }
        try await CopyError.wrapping("cannot close \(quoted(temporary.path))") {
            try await destination.close()
        }
        try await CopyError.wrapping("cannot rename \(quoted(temporary.path)) to \(quoted(target.finalPath))") {
            try await File.rename(temporary.path, to: target.finalPath, on: executor)
        }
        return CopyResult(destination: target.finalPath, size: status.size, dataBytes: plan.dataBytes)
    }

    /// Flushes the directory entry of the renamed file to the device, best effort (as after any
    /// rename; a failure here leaves a complete copy, so it is not reported).
    ///
    /// - Note: issues IORING_OP_OPENAT (O_DIRECTORY), IORING_OP_FSYNC and IORING_OP_CLOSE.
    private func syncDirectory(_ path: String) async {
        guard let directory = try? await File.open(path, options: .directory, on: executor) else { return }
        try? await directory.sync()
        try? await directory.close()
    }
}

extension File.Options {
    /// O_NONBLOCK, which RingIO's options do not name.
    static let nonBlocking = File.Options(rawValue: O_NONBLOCK)
}
