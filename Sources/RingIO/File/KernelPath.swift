import Glibc
import SystemPackage

/// A path on its way to the kernel: a `String` (its UTF-8) or a swift-system `FilePath` (its
/// bytes exactly, valid UTF-8 or not), and how error messages spell it.
struct KernelPath: Sendable {
    enum Source: Sendable {
        case string(String)
        case filePath(FilePath)
    }

    let source: Source
    /// The path for messages and `File.path`: the string itself, or the `FilePath`'s description
    /// (bytes that are not UTF-8 shown repaired; the kernel still gets the original bytes).
    let description: String

    init(_ string: String) {
        source = .string(string)
        description = string
    }

    init(_ path: FilePath) {
        source = .filePath(path)
        description = path.description
    }
}

/// Runs `body` with `path` as a C string that stays allocated until `body` returns: the kernel may
/// read a path after the SQE is submitted, so a temporary `withCString` pointer would not do.
///
/// - Throws: `RingIOError` `.invalidArgument` for a path with a NUL byte; what `body` throws.
func withKernelPath<T>(
    _ path: KernelPath, _ operation: Operation, _ body: (UnsafePointer<CChar>) async throws -> T
) async throws -> T {
    let copy: UnsafeMutablePointer<CChar>?
    switch path.source {
    case .string(let string):
        guard !string.utf8.contains(0) else {
            throw RingIOError.invalidArgument(operation, path: string, "The path contains a NUL byte")
        }
        // Safety: string has no NUL byte (checked above), so strdup copies all of it into a malloc'ed C string that this function owns.
        unsafe copy = strdup(string)
    case .filePath(let filePath):
        // Safety: a FilePath holds no NUL byte before its terminator; strdup copies its bytes up to it, as they are.
        unsafe copy = filePath.withPlatformString { unsafe strdup($0) }
    }
    guard let copy = unsafe copy else {
        throw RingIOError(code: .system, errno: .noMemory, operation: operation, path: path.description)
    }
    // Safety: copy is freed once, after body returns; every body awaits its operation's completion, so the kernel is done reading it.
    defer { unsafe free(copy) }
    return unsafe try await body(copy)
}
