import CRingIO
import Glibc
@testable import RingIO
import Testing

/// Child processes: the demo binary, commands with their output.
extension Support {
    /// Runs a program, returning its exit status and its combined output (collected in a file, so
    /// nothing depends on how the pipe to a child is read).
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let directory = makeTempDirectory()
        defer { removeTree(directory) }
        let outputPath = directory + "/output"
        let command = ([program] + arguments).map(\.shellQuoted).joined(separator: " ")
        let status = system(command + " > " + outputPath.shellQuoted + " 2>&1")
        let fd = open(outputPath, O_RDONLY)
        var output = [UInt8]()
        if fd >= 0 {
            defer { close(fd) }
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                output += chunk[0..<n]
            }
        }
        return ((status >> 8) & 0xFF, String(decoding: output, as: UTF8.self))
    }

    /// The folder of this build's products (on Linux the test bundle is an executable beside
    /// the package's other products and its `Modules`), or nil.
    static func productsDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let exe = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard let slash = exe.lastIndex(of: "/") else { return nil }
        return String(exe[..<slash])
    }

    /// A copy of the ringio-demo executable in a world-readable folder (so `nobody` can run it), or nil.
    static func demoBinary() -> String? {
        guard let directory = productsDirectory() else { return nil }
        let source = directory + "/ringio-demo"
        guard access(source, X_OK) == 0 else { return nil }
        let copyDirectory = makeTempDirectory()
        chmod(copyDirectory, 0o755)
        let target = copyDirectory + "/ringio-demo"
        guard run("/bin/cp", [source, target]).status == 0 else { return nil }
        chmod(target, 0o755)
        return target
    }
}

extension String {
    /// Single-quoted for /bin/sh.
    var shellQuoted: String {
        var result = "'"
        for character in self {
            if character == "'" { result += "'\\''" } else { result.append(character) }
        }
        return result + "'"
    }
}
