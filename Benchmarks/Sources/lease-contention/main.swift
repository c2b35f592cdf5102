// lease-contention: what the group's one pool costs per lease when every loop leases at once.
//
//     swift build -c release --package-path Benchmarks --product lease-contention
//     Benchmarks/.build/release/lease-contention [leases per task] [rounds]
//
// A task on each loop takes a lease and drops it, over and over (`BufferPool.lease()`: the pool's
// lock, its free list and FIFO of waiters). Anchor, in the same round: the same on loop 0 alone
// while loop 1 idles. A second pair adds a 4 KiB READ_FIXED per lease, to show the share of a
// read that leasing is. Rounds alternate; ns per lease (per task), medians over rounds.

import Glibc
import RingIO

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let leases = arguments.first ?? 1_000_000
let rounds = arguments.dropFirst().first ?? 7

func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// `count` leases taken and dropped on `loop`; ns per lease.
func leaseRepeatedly(on loop: RingExecutor, _ group: RingExecutorGroup, count: Int, read file: File?) async throws -> Double {
    try await loop.run {
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<count {
            var lease = try await group.buffers.lease()
            if let file { _ = try await file.read(into: &lease, range: 0..<4096, at: Int64(index % 256) * 4096) }
        }
        return seconds(clock.now - start) * 1e9 / Double(count)
    }
}

let path = "/tmp/ringio-lease-contention.bin"
do {
    let bytes = [UInt8](repeating: 7, count: 1 << 20)
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}
defer { unlink(path) }
let group = try RingExecutorGroup(configuration: .init(loops: 2, executor: .init(buffers: .init(count: 16, size: 4096))))
let file = try await File.open(path, on: group)
var results: [String: [Double]] = [:]
for round in 0..<rounds {
    for read in [false, true] {
        let count = read ? leases / 10 : leases
        let reading = read ? file : nil
        let name = read ? "lease + READ_FIXED" : "lease only"
        let alone = try await leaseRepeatedly(on: group.loops[0], group, count: count, read: reading)
        let both = try await withThrowingTaskGroup(of: Double.self) { tasks in
            for loop in group.loops { tasks.addTask { try await leaseRepeatedly(on: loop, group, count: count, read: reading) } }
            var total = 0.0
            for try await value in tasks { total += value }
            return total / Double(group.loops.count)
        }
        results["\(name) alone", default: []].append(alone)
        results["\(name) both", default: []].append(both)
        results["\(name) ratio", default: []].append(both / alone)
    }
    print("round \(round + 1)/\(rounds) done")
}
try await file.close()
await group.shutdown()
print("\nns per lease per task, medians over \(rounds) rounds")
print("                        loop 0 alone   both loops at once   both ÷ alone")
for name in ["lease only", "lease + READ_FIXED"] {
    let alone = median(results["\(name) alone"]!), both = median(results["\(name) both"]!), ratio = median(results["\(name) ratio"]!)
    print(name + String(repeating: " ", count: 24 - name.count) + format(alone, 12, 1) + format(both, 21, 1) + format(ratio, 15, 2))
}

/// `value` with `digits` decimals, right-aligned in `width` characters.
func format(_ value: Double, _ width: Int, _ digits: Int) -> String {
    let scale = digits == 1 ? 10.0 : 100.0
    let scaled = Int((value * scale).rounded())
    let fraction = String(scaled % Int(scale))
    let text = "\(scaled / Int(scale))." + String(repeating: "0", count: digits - fraction.count) + fraction
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
