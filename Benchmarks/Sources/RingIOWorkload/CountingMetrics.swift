import CoreMetrics
import Synchronization

/// A swift-metrics backend that allocates nothing per update (each metric adds into an atomic),
/// so a benchmark with RingIO's metrics on measures RingIO's own allocations, not a backend's.
public final class CountingMetrics: MetricsFactory {
    public static let shared = CountingMetrics()

    final class Handler: CounterHandler, FloatingPointCounterHandler, RecorderHandler, TimerHandler, MeterHandler {
        let total = Atomic<Int64>(0)
        func increment(by amount: Int64) { total.add(amount, ordering: .relaxed) }
        func increment(by amount: Double) { total.add(Int64(amount), ordering: .relaxed) }
        func reset() { total.store(0, ordering: .relaxed) }
        func record(_ value: Int64) { total.store(value, ordering: .relaxed) }
        func record(_ value: Double) { total.store(Int64(value), ordering: .relaxed) }
        func recordNanoseconds(_ duration: Int64) { total.store(duration, ordering: .relaxed) }
        func set(_ value: Int64) { total.store(value, ordering: .relaxed) }
        func set(_ value: Double) { total.store(Int64(value), ordering: .relaxed) }
        func decrement(by amount: Double) { total.add(-Int64(amount), ordering: .relaxed) }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { Handler() }
    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler { Handler() }
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { Handler() }
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { Handler() }
    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { Handler() }
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
}
