import Glibc

/// Writes every byte of `bytes` to the descriptor `fd`, retrying short writes and EINTR.
///
/// Plain write(2), not the ring: the tools use it for their own terminal and pipe output, which
/// must reach the descriptor in order even while the ring is busy or already shut down.
///
/// - Parameters:
///   - fd: an open descriptor, e.g. 1 (stdout) or 2 (stderr).
///   - bytes: what to write.
/// - Returns: nil on success, else the errno of the failed write(2).
@discardableResult
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    guard var next = bytes.baseAddress else { return nil }
    var left = bytes.count
    while left > 0 {
        let n = Glibc.write(fd, next, left)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        if n == 0 { return EIO }
        next += n
        left -= n
    }
    return nil
}

/// Writes an array of bytes to `fd` (see `writeAll(_:_:)` for the raw-buffer form).
///
/// - Parameters:
///   - fd: an open descriptor.
///   - bytes: what to write.
/// - Returns: nil on success, else the errno of the failed write(2).
@discardableResult
public func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
}

/// Writes a string's UTF-8 bytes to `fd`.
///
/// - Parameters:
///   - fd: an open descriptor.
///   - text: what to write (no newline is added).
/// - Returns: nil on success, else the errno of the failed write(2).
@discardableResult
public func writeAll(_ fd: Int32, _ text: String) -> Int32? {
    var text = text
    return text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
}
