import Glibc

/// Runs `body` with `path` as a C string that stays allocated until `body` returns: the kernel may
/// read a path after the SQE is submitted, so a temporary `withCString` pointer would not do.
///
/// - Throws: `RingIOError` `.invalidArgument` for a path with a NUL byte; what `body` throws.
func withKernelPath<T>(
    _ path: String, _ operation: Operation, _ body: (UnsafePointer<CChar>) async throws -> T
) async throws -> T {
    guard !path.utf8.contains(0) else {
        throw RingIOError.invalidArgument(operation, path: path, "The path contains a NUL byte")
    }
    // Safety: path has no NUL byte (checked above), so strdup copies all of it into a malloc'ed C string that this function owns.
    guard let copy = unsafe strdup(path) else {
        throw RingIOError(code: .system, errno: .noMemory, operation: operation, path: path)
    }
    // Safety: copy is freed once, after body returns; every body awaits its operation's completion, so the kernel is done reading it.
    defer { unsafe free(copy) }
    return unsafe try await body(copy)
}
