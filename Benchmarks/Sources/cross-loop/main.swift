// cross-loop: what a hop between two loops of a `RingExecutorGroup` costs, against a hop from an
// ordinary thread (the global pool) onto a loop and back.
//
//     swift build -c release --package-path Benchmarks --product cross-loop
//     Benchmarks/.build/release/cross-loop [round trips] [rounds]
//
// A round trip is a task on loop 0 running a closure on loop 1 and coming back
// (`withTaskExecutorPreference(loop1) { @concurrent in … }`): two hops, each a job posted to the
// other loop's mailbox and a wake-up, measured for both wake-ups a group can use: an
// IORING_OP_MSG_RING from the posting loop's ring (the default) and a write to the eventfd whose
// read the other loop keeps on its ring (two groups, alternating). The anchor, in the same run:
// a task on the global pool doing the same round trip onto loop 1 (always by eventfd).
// Percentiles are over every round trip of every round; rounds alternate the two variants.
// CROSS_LOOP_SPIN=50 sets the loops' `idleSpin` to 50 µs. Run it also under `taskset -c 0` (both loops on one CPU): on this 2-vCPU VM a wake-up of a
// thread on the other vCPU, not RingIO's hop, is most of a cross-CPU round trip.

import Glibc
import RingIO

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let roundTrips = arguments.first ?? 20_000
let rounds = arguments.dropFirst().first ?? 5

/// Nanoseconds since the process's first clock read (monotonic).
enum Clock {
    static let origin = ContinuousClock.now
    static var nanoseconds: Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// `count` round trips from the current executor onto `target` and back; each one's nanoseconds.
func roundTrips(onto target: RingExecutor, count: Int) async -> [Int64] {
    var samples: [Int64] = []
    samples.reserveCapacity(count)
    for _ in 0..<count {
        let start = Clock.nanoseconds
        await withTaskExecutorPreference(target) { @concurrent in
            precondition(target.isIsolatingCurrentContext() == true, "the closure did not run on the other loop")
        }
        samples.append(Clock.nanoseconds - start)
    }
    return samples
}

func percentile(_ sorted: [Int64], _ p: Double) -> Double {
    Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
}

// CROSS_LOOP_FLAGS=no-defer: the rings without DEFER_TASKRUN (how the wake-up depends on it).
let flags: SetupFlags = getenv("CROSS_LOOP_FLAGS").map { String(cString: $0) } == "no-defer"
    ? [.singleIssuer, .coopTaskrun, .submitAll] : .preferred
// CROSS_LOOP_PIN=1: loop i pinned to the i-th allowed CPU.
let pinned = getenv("CROSS_LOOP_PIN") != nil
// CROSS_LOOP_SPIN=µs: the loops' `idleSpin` (they watch their mailbox that long before sleeping).
let spin = Duration.microseconds(Int(getenv("CROSS_LOOP_SPIN").map { String(cString: $0) } ?? "0") ?? 0)
func makeGroup(_ wakeup: RingExecutorGroup.Configuration.CrossLoopWakeup) throws -> RingExecutorGroup {
    var executor = RingExecutorConfiguration(entries: 8, buffers: .init(count: 1, size: 4096), setupFlags: flags)
    executor.idleSpin = spin
    return try RingExecutorGroup(configuration: .init(loops: 2, pinsLoopsToCPUs: pinned, executor: executor, crossLoopWakeup: wakeup))
}
let byMessage = try makeGroup(.message)
let byEventFD = try makeGroup(.eventFD)
print("ring flags: \(byMessage.loops[0].setupFlags), loops pinned: \(pinned), idle spin: \(spin)")
var samples: [String: [Int64]] = [:]
let anchorName = "global pool → loop 1 → back (anchor)"
for round in 0..<rounds {
    // Alternate the order of the variants from round to round.
    let groups = round % 2 == 0 ? [("MSG_RING", byMessage), ("eventfd", byEventFD)] : [("eventfd", byEventFD), ("MSG_RING", byMessage)]
    for (name, group) in groups {
        let (first, second) = (group.loops[0], group.loops[1])
        samples["loop 0 → loop 1 → loop 0, \(name)", default: []] += try await first.run { await roundTrips(onto: second, count: roundTrips) }
    }
    samples[anchorName, default: []] += await Task.detached { await roundTrips(onto: byEventFD.loops[1], count: roundTrips) }.value
}
await byMessage.shutdown()
await byEventFD.shutdown()

print("\(rounds) rounds × \(roundTrips) round trips (two hops each); µs per round trip")
print("from                                   p50      p90      p99   p50 ÷ anchor")
let anchor = samples[anchorName]!.sorted()
for name in ["loop 0 → loop 1 → loop 0, MSG_RING", "loop 0 → loop 1 → loop 0, eventfd", anchorName] {
    let sorted = samples[name]!.sorted()
    let p50 = percentile(sorted, 0.5)
    let columns = [p50, percentile(sorted, 0.9), percentile(sorted, 0.99)].map { format($0, width: 9) }
    print(name + String(repeating: " ", count: max(1, 37 - name.count)) + columns.joined() + format(p50 / percentile(anchor, 0.5), width: 10))
}

/// `value` with two decimals, right-aligned in `width` characters.
func format(_ value: Double, width: Int) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = String(hundredths % 100)
    let text = "\(hundredths / 100)." + (fraction.count < 2 ? "0" + fraction : fraction)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
