import CRingIO
import Glibc
@testable import RingIO
import Testing

/// Temp folders and files, written and read with plain syscalls (the independent path).
extension Support {
    /// A fresh temp directory, removed by the caller with `removeTree`.
    static func makeTempDirectory() -> String {
        var template = Array("/tmp/ringio-test-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func removeTree(_ path: String) {
        _ = system("/bin/rm -rf " + path.shellQuoted)
    }

    /// Creates a temp file holding `bytes` (written with pwrite), runs `body`, then removes it.
    static func withFile(_ bytes: [UInt8], _ body: (String, [UInt8]) async throws -> Void) async throws {
        let dir = makeTempDirectory()
        defer { removeTree(dir) }
        let path = dir + "/data.bin"
        pwriteFile(path, bytes)
        try await body(path, bytes)
    }

    /// Writes `bytes` to a new file at `path` with plain pwrite (the independent path).
    static func pwriteFile(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "open \(path) failed: \(errno)")
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(done)) }
            precondition(n > 0, "pwrite failed")
            done += n
        }
        close(fd)
    }

    /// Reads a whole file with plain pread (the independent path).
    static func preadFile(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        precondition(fd >= 0, "open \(path) failed: \(errno)")
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(result.count)) }
            precondition(n >= 0, "pread failed")
            if n == 0 { return result }
            result += chunk[0..<n]
        }
    }
}
