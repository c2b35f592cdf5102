// global-executor: one read at a time from an ordinary task (no executor preference, not in
// `run`) with a `RingExecutorGroup` installed as Swift's global executor, against the same read
// from inside `group.run` (the anchor), in one process and one run.
//
//     swift build -c release --package-path Benchmarks --product global-executor
//     Benchmarks/.build/release/global-executor [rounds] [milliseconds per variant]
//
// Each round makes a new two-loop group and measures, in this order: reads inside `group.run`
// (anchor) and from an ordinary task before installing (every read hops onto a loop and back);
// then installs the group and measures the ordinary task and `group.run` again; then shuts the
// group down, which gives the global executor back. 4 KiB random READ_FIXED reads of a 64 MiB
// file in the page cache. Also the cost per resume without a read, for a task without a
// preference on the installed group against a task that prefers the group: an IORING_OP_NOP
// round trip on the task's loop, and `Task.yield()`.
// Figures are medians over the rounds; ratios are against the anchor of the same round.

import Glibc
import RingIO

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let rounds = arguments.first ?? 7
let milliseconds = arguments.dropFirst().first ?? 1000

let fileSize = 64 << 20
let blockSize = 4096

/// A 64 MiB file of pseudo-random bytes, written with pwrite (so it sits in the page cache).
func makeFile() -> String {
    let path = "/tmp/ringio-global-executor-\(getpid()).bin"
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
    precondition(fd >= 0, "cannot create \(path)")
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for offset in stride(from: 0, to: fileSize, by: chunk.count) {
        for index in chunk.indices {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            chunk[index] = UInt8(truncatingIfNeeded: state)
        }
        precondition(chunk.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) } == chunk.count)
    }
    close(fd)
    return path
}

/// Reads one block at a time for `milliseconds`; reads per second.
func readOneAtATime(_ file: File, _ group: RingExecutorGroup) async throws -> Double {
    var lease = try await group.buffers.lease()
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    let blocks = UInt64(fileSize / blockSize)
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(milliseconds)
    var reads = 0
    let start = clock.now
    while true {
        for _ in 0..<256 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let n = try await file.read(into: &lease, range: 0..<blockSize, at: Int64(state % blocks) * Int64(blockSize))
            precondition(n == blockSize)
        }
        reads += 256
        if clock.now >= deadline { break }
    }
    return Double(reads) / seconds(clock.now - start)
}

/// IORING_OP_NOP round trips on the loop the task is on, for `milliseconds`; nanoseconds each
/// (one submission, one completion, one resume of the task).
func nopRoundTrips(_ group: RingExecutorGroup) async throws -> Double {
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(milliseconds)
    var nops = 0
    let start = clock.now
    while true {
        for _ in 0..<1024 { try await group.currentLoop!.nop() }
        nops += 1024
        if clock.now >= deadline { break }
    }
    return seconds(clock.now - start) * 1e9 / Double(nops)
}

/// `Task.yield()` for `milliseconds`; nanoseconds per yield (one enqueue and one resume).
func yieldRepeatedly() async -> Double {
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(milliseconds)
    var yields = 0
    let start = clock.now
    while true {
        for _ in 0..<1024 { await Task.yield() }
        yields += 1024
        if clock.now >= deadline { break }
    }
    return seconds(clock.now - start) * 1e9 / Double(yields)
}

func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let path = makeFile()
defer { unlink(path) }
var results: [String: [Double]] = [:]
let configuration = RingExecutorGroup.Configuration(loops: 2, executor: .init(buffers: .init(count: 8, size: blockSize)))
for round in 0..<rounds {
    let group = try RingExecutorGroup(configuration: configuration)
    let file = try await File.open(path, on: group)
    _ = try await group.run { try await readOneAtATime(file, group) }  // warm-up
    let anchor = try await group.run { try await readOneAtATime(file, group) }
    let hopping = try await Task.detached { try await readOneAtATime(file, group) }.value
    let yieldPreferring = try await group.run { await yieldRepeatedly() }
    let nopPreferring = try await group.run { try await nopRoundTrips(group) }
    try group.unsafeInstallAsGlobalConcurrentExecutor()
    let ordinary = try await Task.detached { try await readOneAtATime(file, group) }.value
    let inRun = try await group.run { try await readOneAtATime(file, group) }
    let yieldOrdinary = await Task.detached { await yieldRepeatedly() }.value
    let nopOrdinary = try await Task.detached { try await nopRoundTrips(group) }.value
    try await file.close()
    await group.shutdown()
    results["anchor", default: []].append(anchor)
    results["hopping", default: []].append(hopping / anchor)
    results["ordinary", default: []].append(ordinary / anchor)
    results["inRun", default: []].append(inRun / anchor)
    results["yieldPreferring", default: []].append(yieldPreferring)
    results["yieldOrdinary", default: []].append(yieldOrdinary)
    results["nopPreferring", default: []].append(nopPreferring)
    results["nopOrdinary", default: []].append(nopOrdinary)
    print("round \(round + 1)/\(rounds): anchor \(Int(anchor)) reads/s; installed, ordinary task ÷ anchor \(format(ordinary / anchor))")
}

print("\nOne 4 KiB READ_FIXED at a time, two loops; medians over \(rounds) rounds of \(milliseconds) ms")
print("inside group.run, not installed (anchor)            \(Int(median(results["anchor"]!))) reads/s   1.00")
print("ordinary task, not installed (hops per read)        ÷ anchor \(format(median(results["hopping"]!)))")
print("ordinary task, group installed as global executor   ÷ anchor \(format(median(results["ordinary"]!)))")
print("inside group.run, group installed                   ÷ anchor \(format(median(results["inRun"]!)))")
let nopPreferring = median(results["nopPreferring"]!)
let nopOrdinary = median(results["nopOrdinary"]!)
print("\nOne IORING_OP_NOP round trip on the task's loop (submit, complete, resume), ns")
print("task that prefers the group (group.run)             \(format(nopPreferring))   1.00")
print("task without a preference, group installed          \(format(nopOrdinary))   \(format(nopOrdinary / nopPreferring))")
let preferring = median(results["yieldPreferring"]!)
let ordinaryYield = median(results["yieldOrdinary"]!)
print("\nOne Task.yield() (no I/O), ns: without a preference it goes to Swift's own pool (see the README)")
print("task that prefers the group (group.run)             \(format(preferring))   1.00")
print("task without a preference, group installed          \(format(ordinaryYield))   \(format(ordinaryYield / preferring))")

/// Two decimals.
func format(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = String(hundredths % 100)
    return "\(hundredths / 100)." + (fraction.count < 2 ? "0" + fraction : fraction)
}
