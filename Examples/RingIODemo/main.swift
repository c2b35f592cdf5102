// ringio-demo: reads a file with READ_FIXED from many tasks and compares with plain pread, in one run.
//
// Usage: ringio-demo [--file PATH] [--file-size MiB] [--seconds S] [--qd N] [--block-size BYTES]
//                    [--buffers N] [--buffer-size BYTES] [--direct] [--check-setup [--loops N]]
//                    [--check-global-executor PATH [--loops N]] [--check-service-lifecycle]
import Glibc
import RingIO
import Synchronization

struct Options {
    var file: String?
    var fileSizeMiB = 256
    var seconds = 3.0
    var queueDepth = 32
    var blockSize = 4096
    var buffers = 64
    var bufferSize = 64 << 10
    var checkSetupOnly = false
    var checkGlobalExecutor: String?
    var checkServiceLifecycle = false
    var direct = false
    var loops: Int?
    var policy = RingExecutorConfiguration.Policy.fallback

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var iterator = arguments.dropFirst().makeIterator()
        func value(_ name: String) -> String {
            guard let next = iterator.next() else { fail("\(name) needs a value") }
            return next
        }
        func number(_ name: String) -> Int {
            guard let parsed = Int(value(name)), parsed > 0 else { fail("\(name) needs a positive integer") }
            return parsed
        }
        while let argument = iterator.next() {
            switch argument {
            case "--file": options.file = value(argument)
            case "--file-size": options.fileSizeMiB = number(argument)
            case "--seconds": options.seconds = Double(number(argument))
            case "--qd": options.queueDepth = number(argument)
            case "--block-size": options.blockSize = number(argument)
            case "--buffers": options.buffers = number(argument)
            case "--buffer-size": options.bufferSize = number(argument)
            case "--check-setup": options.checkSetupOnly = true
            case "--check-global-executor": options.checkGlobalExecutor = value(argument)
            case "--check-service-lifecycle": options.checkServiceLifecycle = true
            case "--direct": options.direct = true
            case "--loops": options.loops = number(argument)
            case "--require-io-uring": options.policy = .requireIOURing
            case "--thread-pool": options.policy = .threadPoolOnly
            case "-h", "--help":
                print("usage: ringio-demo [--file PATH] [--file-size MiB] [--seconds S] [--qd N] [--block-size BYTES] [--buffers N] [--buffer-size BYTES] [--direct] [--check-setup [--loops N]] [--check-global-executor PATH [--loops N]] [--check-service-lifecycle] [--require-io-uring | --thread-pool]")
                exit(0)
            default: fail("unknown argument \(argument) (try --help)")
            }
        }
        return options
    }
}

func fail(_ message: String) -> Never {
    var text = "ringio-demo: \(message)\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// xorshift64: cheap, allocation-free random offsets.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

/// Latency samples kept in a preallocated buffer; percentiles by sorting at the end.
final class Samples: @unchecked Sendable {
    // Safety: every reader task runs on the executor's one thread (inside `executor.run`), so
    // `record` calls never overlap; `percentiles` runs after all of them finished.
    var values: [UInt32]
    let stripe: Int
    var counts: [Int]
    init(tasks: Int, perTask: Int) {
        values = [UInt32](repeating: 0, count: tasks * perTask)
        stripe = perTask
        counts = [Int](repeating: 0, count: tasks)
    }
    func record(task: Int, nanoseconds: UInt64) {
        let count = counts[task]
        values[task * stripe + count % stripe] = UInt32(clamping: nanoseconds)
        counts[task] = count + 1
    }
    func percentiles() -> (p50: Double, p99: Double) {
        var all: [UInt32] = []
        for task in counts.indices {
            all += values[(task * stripe)..<(task * stripe + min(counts[task], stripe))]
        }
        all.sort()
        guard !all.isEmpty else { return (0, 0) }
        return (Double(all[all.count / 2]) / 1000, Double(all[min(all.count - 1, all.count * 99 / 100)]) / 1000)
    }
}

/// One system's measured run.
struct Measurement {
    var name: String
    var operations: Int
    var seconds: Double
    var p50: Double
    var p99: Double
    var blockSize: Int
    /// CPU time of the whole process (every thread, user and system) over the run.
    var cpuSeconds: Double
    var iops: Double { Double(operations) / seconds }
    var cpuMicrosecondsPerRead: Double { cpuSeconds * 1e6 / Double(max(1, operations)) }
    var megabytesPerSecond: Double { iops * Double(blockSize) / 1_000_000 }
}

func printResult(_ result: Measurement, anchor: Measurement?) {
    var line = "\(result.name.padding(35))\(format(result.iops / 1000, 1).leftPadding(10))k IOPS"
    line += "\(format(result.megabytesPerSecond, 0).leftPadding(8)) MB/s"
    line += "   p50 \(format(result.p50, 1).leftPadding(6)) µs   p99 \(format(result.p99, 1).leftPadding(6)) µs"
    line += "   CPU \(format(result.cpuMicrosecondsPerRead, 2).leftPadding(5)) µs/read"
    if let anchor { line += "   \(format(result.iops / anchor.iops, 2))× pread" }
    print(line)
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if decimals == 0 { return String(Int(rounded)) }
    let whole = Int(rounded)
    let fraction = Int(((rounded - Double(whole)) * scale).rounded())
    var fractionText = String(abs(fraction))
    while fractionText.count < decimals { fractionText = "0" + fractionText }
    return "\(whole).\(fractionText)"
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    func leftPadding(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// An operation counter shared with the progress task.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

struct ShortRead: Error, CustomStringConvertible {
    var description: String { "a read returned fewer bytes than the block size" }
}

/// Shows a progress line on stderr until stopped.
func startProgress(_ label: String, seconds: Double, counter: Counter) -> Task<Void, Never> {
    let interactive = isatty(2) != 0
    return Task.detached {
        let start = now()
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: interactive ? 250_000_000 : 1_000_000_000)
            let elapsed = Double(now() - start) / 1e9
            let ops = counter.value.load(ordering: .relaxed)
            var text = "  \(label): \(format(min(elapsed, seconds), 1))/\(format(seconds, 0)) s, \(format(Double(ops) / max(elapsed, 0.001) / 1000, 0))k IOPS"
            text += interactive ? "   \r" : "\n"
            text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        }
        if interactive {
            var clear = String(repeating: " ", count: 70) + "\r"
            clear.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        }
    }
}

func createFile(_ path: String, megabytes: Int) {
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
    guard fd >= 0 else { fail("cannot create \(path): \(String(cString: strerror(errno)))") }
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var random = Random(state: 0x9E37_79B9_7F4A_7C15)
    for megabyte in 0..<megabytes {
        for index in stride(from: 0, to: chunk.count, by: 8) {
            let value = random.next()
            withUnsafeBytes(of: value) { bytes in
                for byte in 0..<8 { chunk[index + byte] = bytes[byte] }
            }
        }
        let written = chunk.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(megabyte << 20)) }
        guard written == chunk.count else { fail("writing \(path) failed") }
    }
    close(fd)
}

/// CPU time this process has used so far (all threads, user and system), in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func fileSize(_ path: String) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { fail("cannot stat \(path): \(String(cString: strerror(errno)))") }
    return Int(info.st_size)
}

/// Plain pread on one thread: the anchor.
func runPread(path: String, blockSize: Int, fileSize: Int, seconds: Double, direct: Bool = false) -> Measurement {
    // O_DIRECT is not in Glibc's Swift overlay; RingIO's option carries the flag.
    let fd = open(path, O_RDONLY | O_CLOEXEC | (direct ? File.Options.direct.rawValue : 0))
    guard fd >= 0 else { fail("cannot open \(path)") }
    defer { close(fd) }
    let counter = Counter()
    let progress = startProgress("pread", seconds: seconds, counter: counter)
    let samples = Samples(tasks: 1, perTask: 1 << 20)
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 4096)
    defer { buffer.deallocate() }
    var random = Random(state: 0x1234_5678)
    let blocks = UInt64(fileSize / blockSize)
    let cpuStart = processCPUSeconds()
    let start = now()
    let deadline = start + UInt64(seconds * 1e9)
    var operations = 0
    while true {
        let offset = off_t((random.next() % blocks) * UInt64(blockSize))
        let before = now()
        guard pread(fd, buffer, blockSize, offset) == blockSize else { fail("pread failed") }
        let after = now()
        samples.record(task: 0, nanoseconds: after - before)
        operations += 1
        if operations & 255 == 0 {
            counter.value.store(operations, ordering: .relaxed)
            if after >= deadline { break }
        }
    }
    let elapsed = Double(now() - start) / 1e9
    let cpu = processCPUSeconds() - cpuStart
    progress.cancel()
    let (p50, p99) = samples.percentiles()
    return Measurement(
        name: direct ? "pread O_DIRECT (1 thread, QD1)" : "pread (1 thread, QD1)", operations: operations, seconds: elapsed,
        p50: p50, p99: p99, blockSize: blockSize, cpuSeconds: cpu)
}

/// READ_FIXED from `queueDepth` tasks on one executor.
func runRingIO(executor: RingExecutor, path: String, options: Options, fileSize: Int) async throws -> Measurement {
    let counter = Counter()
    let samples = Samples(tasks: options.queueDepth, perTask: 1 << 16)
    let blockSize = options.blockSize
    // Each reader holds a lease; a pool made smaller to fit RLIMIT_MEMLOCK caps the queue depth.
    let queueDepth = min(options.queueDepth, executor.buffers.count)
    let seconds = options.seconds
    let blocks = UInt64(fileSize / blockSize)
    let progress = startProgress("RingIO READ_FIXED", seconds: seconds, counter: counter)
    let (operations, elapsed, cpu) = try await executor.run {
        let file = try await File.open(path, options: options.direct ? [.direct] : [], on: executor)
        let cpuStart = processCPUSeconds()
        let start = now()
        let deadline = start + UInt64(seconds * 1e9)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<queueDepth {
                group.addTask {
                    var lease = try await executor.buffers.lease()
                    var random = Random(state: 0xABCD_EF01 &+ UInt64(task) &* 7919)
                    var operations = 0
                    while true {
                        let offset = Int64((random.next() % blocks) * UInt64(blockSize))
                        let before = now()
                        let n = try await file.read(into: &lease, range: 0..<blockSize, at: offset)
                        let after = now()
                        guard n == blockSize else { throw ShortRead() }
                        samples.record(task: task, nanoseconds: after - before)
                        operations += 1
                        if operations & 63 == 0 {
                            counter.value.add(64, ordering: .relaxed)
                            if after >= deadline { break }
                        }
                    }
                    return operations
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = Double(now() - start) / 1e9
        let cpu = processCPUSeconds() - cpuStart
        try await file.close()
        return (total, elapsed, cpu)
    }
    progress.cancel()
    let (p50, p99) = samples.percentiles()
    let opcode = executor.capabilities.backend == .threadPool ? "thread pool" : executor.buffers.isRegistered ? "READ_FIXED" : "READ"
    return Measurement(
        name: "RingIO \(opcode)\(options.direct ? " O_DIRECT" : "") (QD\(queueDepth))", operations: operations, seconds: elapsed,
        p50: p50, p99: p99, blockSize: blockSize, cpuSeconds: cpu)
}

let options = Options.parse(CommandLine.arguments)
guard options.blockSize <= options.bufferSize else { fail("--block-size must not exceed --buffer-size") }

if options.checkServiceLifecycle {
    await checkServiceLifecycle(policy: options.policy)
    exit(0)
}

if let path = options.checkGlobalExecutor {
    await checkGlobalExecutor(path: path, loops: options.loops ?? 2, policy: options.policy)
    exit(0)
}

if let loops = options.loops {
    // A group's set-up: one pool for every loop (pinned once where the kernel clones it).
    guard options.checkSetupOnly else { fail("--loops goes with --check-setup") }
    do {
        let group = try RingExecutorGroup(configuration: .init(loops: loops, executor: .init(
            buffers: .init(count: options.buffers, size: options.bufferSize), policy: options.policy)))
        for (index, capabilities) in group.capabilities.enumerated() { print("RingIO loop \(index): \(capabilities)") }
        await group.shutdown()
    } catch {
        fail("\(error)")
    }
    exit(0)
}

let executor: RingExecutor
do {
    executor = try RingExecutor(configuration: .init(
        entries: UInt32(max(64, min(4096, options.queueDepth * 2))),
        buffers: .init(count: max(options.buffers, options.queueDepth), size: options.bufferSize),
        policy: options.policy))
} catch {
    fail("\(error)")
}
print("RingIO executor: \(executor.capabilities)")
if options.checkSetupOnly {
    await executor.shutdown()
    exit(0)
}

var temporaryDirectory: String?
let path: String
if let file = options.file {
    path = file
} else {
    var template = Array("/tmp/ringio-demo-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { fail("mkdtemp failed") }
    let directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    temporaryDirectory = directory
    path = directory + "/demo.bin"
    print("Creating a \(options.fileSizeMiB) MiB test file at \(path) …")
    createFile(path, megabytes: options.fileSizeMiB)
}
let size = fileSize(path)
guard size >= options.blockSize else { fail("\(path) is smaller than one block") }

if options.direct {
    guard options.blockSize % 4096 == 0 else { fail("--direct needs a --block-size that is a multiple of 4096 (O_DIRECT alignment)") }
    print("Random \(options.blockSize)-byte O_DIRECT reads of \(size >> 20) MiB for \(format(options.seconds, 0)) s each (from the device, no page cache):")
} else {
    // Warm the page cache so both runs read from memory, then measure pread and RingIO back to back.
    print("Warm-up (not measured): 0.5 s of pread to bring the file into the page cache …")
    _ = runPread(path: path, blockSize: options.blockSize, fileSize: size, seconds: 0.5)
    print("Random \(options.blockSize)-byte reads of \(size >> 20) MiB for \(format(options.seconds, 0)) s each (page cache):")
}
let anchor = runPread(path: path, blockSize: options.blockSize, fileSize: size, seconds: options.seconds, direct: options.direct)
printResult(anchor, anchor: nil)
let ring: Measurement
do {
    ring = try await runRingIO(executor: executor, path: path, options: options, fileSize: size)
    printResult(ring, anchor: anchor)
} catch {
    fail("\(error)")
}
print("")
if options.direct {
    print("""
        With O_DIRECT every read waits for the device: pread waits for each in turn on its thread, while
        RingIO keeps \(min(options.queueDepth, executor.buffers.count)) in flight from one thread, with no thread pool and no page cache.
        """)
} else {
    print("""
        Why pread can win here: every read is a page-cache hit, so a pread is a ~1 µs copy on the calling
        thread and nothing ever waits; RingIO adds its queue (an SQE, a completion, a task resumed) to
        each read. RingIO wins where reads wait or threads cost: O_DIRECT and cold reads from a device
        (try --direct, with --file on a disk for a real device), where it also spends less CPU per
        read; many reads in flight from one thread (no thread per read, no thread pool). The CPU
        column is the whole process's. Benchmarks/README.md has the comparisons (fio, 32 threads of
        pread, NIOFileSystem).
        """)
}
await executor.shutdown()
if let temporaryDirectory {
    unlink(path)
    rmdir(temporaryDirectory)
}
