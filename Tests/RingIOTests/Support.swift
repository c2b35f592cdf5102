import CRingIO
import Glibc
@testable import RingIO
import Testing

/// Helpers shared by the tests: temp files written with pwrite, deterministic bytes, skip reasons.
enum Support {
    /// Why io_uring tests cannot run here, or nil when they can.
    static let ioUringUnavailableReason: String? = {
        var ring = io_uring()
        let result = io_uring_queue_init(2, &ring, 0)
        if result < 0 {
            return "io_uring unavailable here: io_uring_queue_init returned \(result)"
        }
        io_uring_queue_exit(&ring)
        return nil
    }()

    static var ioUringAvailable: Bool { ignoreSIGPIPE && ioUringUnavailableReason == nil }

    /// Tests write to pipes and /dev/full; a write to a pipe with no reader must fail with EPIPE, not kill the run.
    static let ignoreSIGPIPE: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

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

    /// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        var result = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            result[index] = UInt8(truncatingIfNeeded: state)
        }
        return result
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

    /// Whether an optional lease holds one (dropping it, which returns it to the pool).
    static func isPresent(_ lease: consuming BufferLease?) -> Bool {
        switch consume lease {
        case .some: return true
        case .none: return false
        }
    }

    /// The capacity of an optional lease, without consuming it.
    static func capacity(of lease: borrowing BufferLease?) -> Int? {
        switch lease {
        case .some(let held): return held.capacity
        case .none: return nil
        }
    }

    /// A copy of the ringio-demo executable in a world-readable folder (so `nobody` can run it), or nil.
    static func demoBinary() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let exe = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard let slash = exe.lastIndex(of: "/") else { return nil }
        // On Linux the test bundle is an executable beside the package's other products.
        let directory = String(exe[..<slash])
        let source = directory + "/ringio-demo"
        guard access(source, X_OK) == 0 else { return nil }
        let copyDirectory = makeTempDirectory()
        chmod(copyDirectory, 0o755)
        let target = copyDirectory + "/ringio-demo"
        guard run("/bin/cp", [source, target]).status == 0 else { return nil }
        chmod(target, 0o755)
        return target
    }

    /// Polls `condition` every millisecond until it holds or `seconds` pass; returns whether it held.
    @discardableResult
    static func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        var waited = 0.0
        while !condition() {
            if waited >= seconds { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
            waited += 0.001
        }
        return true
    }

    /// What descriptor `fd` refers to (/proc/self/fd), or nil when it is not open. Comparing this
    /// before and after a close is safe while other tests run: a reused number points elsewhere.
    static func target(of fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The `eventfd-id` of descriptor `fd` (/proc/self/fdinfo), or nil when `fd` is not an open
    /// eventfd. Unique per eventfd, so a number reused by another test's eventfd does not match.
    static func eventFDID(_ fd: Int32) -> String? {
        let fdinfo = "/proc/self/fdinfo/\(fd)"
        let file = fopen(fdinfo, "r")
        guard let file else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if text.hasPrefix("eventfd-id:") { return text }
        }
        return nil
    }

    /// Which backend this run tests: `RINGIO_TEST_BACKEND=threadpool` (the thread-pool backend) or
    /// `unregistered` (io_uring with the pool left unregistered, as when memlock is too small);
    /// `scripts/test.sh` runs the suite once for each and once plain.
    static let backendUnderTest = getenv("RINGIO_TEST_BACKEND").map { String(cString: $0) } ?? "iouring"

    /// Whether this run tests the thread-pool backend instead of io_uring.
    static let testingThreadPool = backendUnderTest == "threadpool"

    /// For tests of what only io_uring can do (interrupting a blocked read, linked timeouts, …).
    static var testingIOURing: Bool { !testingThreadPool }

    /// A small executor for tests, on the backend under test.
    static func makeExecutor(count: Int = 8, size: Int = 64 << 10, entries: UInt32 = 64, maxInFlight: Int? = nil, flags: SetupFlags = .preferred) throws -> RingExecutor {
        var configuration = RingExecutorConfiguration(
            entries: entries, buffers: .init(count: count, size: size), maxInFlight: maxInFlight, setupFlags: flags,
            policy: testingThreadPool ? .threadPoolOnly : .fallback)
        configuration.forceUnregisteredBuffers = backendUnderTest == "unregistered"
        let executor = try RingExecutor(configuration: configuration)
        precondition(executor.capabilities.backend == (testingThreadPool ? .threadPool : .ioUring), "\(executor.capabilities)")
        precondition(executor.buffers.isRegistered == (backendUnderTest == "iouring"), "\(executor.capabilities)")
        return executor
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
