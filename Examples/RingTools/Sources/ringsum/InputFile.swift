import Glibc
import RingIO

/// An input to hash: a named file opened through the ring, or (for `-`) standard input.
struct InputFile: Sendable {
    /// The open file. For stdin it is a duplicate of descriptor 0, so closing it leaves 0 open.
    let file: File
    /// Whether this is standard input (its file offset is shared with the shell and respected).
    let isStandardInput: Bool

    /// Opens the input `name` read-only.
    ///
    /// - Parameters:
    ///   - name: raw file name bytes; `-` means standard input.
    ///   - executor: the ring to open it with.
    /// - Returns: the open input.
    /// - Throws: `InputFailure` with the errno text (No such file or directory, Permission denied, …).
    /// - Note: issues IORING_OP_OPENAT for names that are valid UTF-8 (RingIO takes `String` paths);
    ///   other names are opened with open(2) on their raw bytes and adopted with
    ///   `File(unsafeDescriptor:path:on:)`. Standard input is dup(2)ed and adopted the same way.
    static func open(_ name: [UInt8], on executor: RingExecutor) async throws(InputFailure) -> InputFile {
        if name == [UInt8(ascii: "-")] {
            let fd = fcntl(0, F_DUPFD_CLOEXEC, 0)
            guard fd >= 0 else { throw InputFailure(errno: errno) }
            return InputFile(file: File(unsafeDescriptor: fd, path: "-", on: executor), isStandardInput: true)
        }
        if let path = String(validating: name, as: UTF8.self) {
            do {
                return InputFile(file: try await File.open(path, on: executor), isStandardInput: false)
            } catch let error as RingIOError {
                throw InputFailure(error)
            } catch {
                throw InputFailure(errno: EIO)
            }
        }
        let opened: Int32? = (name + [0]).withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { path in
                path.baseAddress.map { Glibc.open($0, O_RDONLY | O_CLOEXEC) }
            }
        }
        guard let fd = opened else { throw InputFailure(errno: ENOENT) }
        guard fd >= 0 else { throw InputFailure(errno: errno) }
        return InputFile(
            file: File(unsafeDescriptor: fd, path: String(decoding: name, as: UTF8.self), on: executor),
            isStandardInput: false)
    }
}
