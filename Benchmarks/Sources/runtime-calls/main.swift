// runtime-calls: the cost of each private Swift runtime call RingIO makes per I/O, against the
// public API it replaces, timed on the ring thread (inside `executor.run`, where I/O runs).
//
//     swift run -c release --package-path Benchmarks runtime-calls [rounds] [calls]
//
// Rounds interleave the variants; each figure is the median over rounds of ns per call. The
// "per I/O" column is (public − RingIO) × the calls one `await file.read(...)` makes. Run it with
// RINGIO_PUBLIC_CONCURRENCY_ONLY=1 to check the control: both columns then use the public API.

@_spi(RuntimeCallCosts) import RingIO

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let rounds = arguments.first ?? 9
let calls = arguments.dropFirst().first ?? 2_000_000

/// One private call and its public alternative.
enum Variant: CaseIterable {
    case loopContinuation, publicContinuation, cancellationHook, publicCancellationHandler, isCancelled, publicIsCancelled
}

/// Runs `calls` calls of `variant`; returns ns per call and a checksum that keeps the calls alive.
func measure(_ variant: Variant) async -> (Double, Int) {
    let clock = ContinuousClock()
    var sum = 0
    let start = clock.now
    switch variant {
    case .loopContinuation: for _ in 0..<calls { sum &+= await RuntimeCallCosts.loopContinuation() }
    case .publicContinuation: for _ in 0..<calls { sum &+= await RuntimeCallCosts.publicContinuation() }
    case .cancellationHook: for _ in 0..<calls { sum &+= await RuntimeCallCosts.cancellationHook() }
    case .publicCancellationHandler: for _ in 0..<calls { sum &+= await RuntimeCallCosts.publicCancellationHandler() }
    case .isCancelled: for _ in 0..<calls where !RuntimeCallCosts.isCancelled() { sum &+= 1 }
    case .publicIsCancelled: for _ in 0..<calls where !RuntimeCallCosts.publicIsCancelled() { sum &+= 1 }
    }
    let elapsed = clock.now - start
    let (seconds, attoseconds) = elapsed.components
    let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    return (nanoseconds / Double(calls), sum)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let executor = try RingExecutor(configuration: .init(entries: 8, buffers: .init(count: 1, size: 4096)))
let (samples, checksum) = try await executor.run {
    var samples: [Variant: [Double]] = [:]
    var checksum = 0
    for round in 0..<rounds {
        // Alternate the order so neither side always runs first.
        let order = round % 2 == 0 ? Variant.allCases : Variant.allCases.reversed()
        for variant in order {
            let (perCall, sum) = await measure(variant)
            samples[variant, default: []].append(perCall)
            checksum &+= sum
        }
    }
    return (samples, checksum)
}
await executor.shutdown()

print("\(rounds) rounds × \(calls) calls, on the ring thread; medians, ns per call (checksum \(checksum))")
print("call                               RingIO  public  RingIO/public  saved per I/O (calls/I/O)")
for (name, ours, theirs, perIO) in [
    ("continuation (withLoopContinuation)", Variant.loopContinuation, Variant.publicContinuation, 1),
    ("cancellation hook add+remove", .cancellationHook, .publicCancellationHandler, 1),
    ("task is cancelled", .isCancelled, .publicIsCancelled, 1),
] {
    let a = median(samples[ours]!), b = median(samples[theirs]!)
    print(name + String(repeating: " ", count: max(1, 35 - name.count))
          + "\(format(a)) \(format(b))  \(format(a / b, 2))         \(format((b - a) * Double(perIO))) ns (\(perIO))")
}

func format(_ value: Double, _ decimals: Int = 1) -> String {
    var text = String(Int((value * pow10(decimals)).rounded()))
    while text.count <= decimals { text = "0" + text }
    text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
    return text.count < 6 ? String(repeating: " ", count: 6 - text.count) + text : text
}

func pow10(_ n: Int) -> Double { n == 0 ? 1 : 10 * pow10(n - 1) }
