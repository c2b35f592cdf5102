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
    guard let copy = unsafe strdup(path) else {
        throw RingIOError(code: .system, errno: .noMemory, operation: operation, path: path)
    }
    defer { unsafe free(copy) }
    return unsafe try await body(copy)
}
