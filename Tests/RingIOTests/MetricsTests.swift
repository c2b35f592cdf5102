import Glibc
import MetricsTestKit
@testable import RingIO
import Testing

/// What a loop reports through swift-metrics when `configuration.metrics` is set.
@Suite("Metrics")
struct MetricsTests {
    @Test func operationsBytesAndErrorsAreCountedAndHandedToTheBackend() async throws {
        let metrics = TestMetrics()
        var configuration = Support.executorConfiguration(count: 2, size: 4096)
        configuration.metrics = .init(label: "test", dimensions: [("service", "unit")], interval: .milliseconds(1), factory: metrics)
        let executor = try RingExecutor(configuration: configuration)
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        Support.pwriteFile(directory + "/data", Support.bytes(count: 40960, seed: 5))
        try await executor.run {
            let file = try await File.open(directory + "/data", mode: .readWrite, on: executor)
            var lease = try await executor.buffers.lease()
            for index in 0..<10 { _ = try await file.read(into: &lease, at: Int64(index) * 4096) }
            _ = try await file.write(from: lease, at: 0)
            _ = try? await File.status(of: directory + "/missing", on: executor)
            try await file.close()
        }
        // Counts reach the backend from a loop turn once the interval has passed: drive turns.
        func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
            metrics.counters(label: label, dimensions: [("service", "unit")] + dimensions).reduce(0) { $0 + $1.totalValue }
        }
        // Done once a publication came after the last operation (the close) and after the lease went back.
        func published() -> Bool {
            total("test_operations_total", [("op", "close"), ("result", "ok")]) == 1
                && (try? metrics.expectGauge("test_pool_free_buffers", [("service", "unit")]).lastValue) == 2
        }
        for _ in 0..<5000 where !published() {
            try await executor.run {}
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(total("test_operations_total", [("op", "read"), ("result", "ok")]) == 10)
        #expect(total("test_operations_total", [("op", "write"), ("result", "ok")]) == 1)
        #expect(total("test_operations_total", [("op", "open"), ("result", "ok")]) == 1)
        #expect(total("test_operations_total", [("op", "stat"), ("result", "error")]) == 1)
        #expect(total("test_errors_total", [("errno", "ENOENT")]) == 1)
        #expect(total("test_read_bytes_total", []) == 40960)
        #expect(total("test_written_bytes_total", []) == 4096)
        let backend = Support.testingThreadPool ? "thread_pool" : "io_uring"
        #expect(try metrics.expectGauge("test_backend", [("service", "unit"), ("backend", backend)]).lastValue == 1)
        #expect(try metrics.expectGauge("test_pool_free_buffers", [("service", "unit")]).lastValue == 2)
        // Latencies: every counted operation (10 reads, 1 write, open, stat, close) in the +Inf
        // bucket, and in no bucket below 1 µs… at most; the buckets are cumulative.
        let operations = total("test_io_latency_seconds_count", [])
        #expect(operations == 14)
        #expect(total("test_io_latency_seconds_bucket", [("le", "+Inf")]) == operations)
        let oneSecond = total("test_io_latency_seconds_bucket", [("le", "\(Double(1 << 20) / 1e6)")])
        #expect(oneSecond == operations, "none took over a second")
        #expect(total("test_io_latency_nanoseconds_total", []) > 0)
        if !Support.testingThreadPool {
            let enters = total("test_enter_calls_total", []), submitted = total("test_submitted_sqes_total", [])
            #expect(enters > 0 && submitted >= 14, "enters \(enters), SQEs \(submitted)")
        }
        await executor.shutdown()
    }

    @Test func aPipelinesReadsAreCountedToo() async throws {
        let metrics = TestMetrics()
        var configuration = Support.executorConfiguration(count: 4, size: 4096)
        configuration.metrics = .init(label: "pipe", interval: .milliseconds(1), factory: metrics)
        let executor = try RingExecutor(configuration: configuration)
        try await Support.withFile(Support.bytes(count: 16384, seed: 9)) { path, _ in
            try await executor.run {
                let file = try await File.open(path, on: executor)
                try await file.withPipeline(depth: 4) { pipeline in
                    for index in 0..<4 {
                        try await pipeline.read(into: try await executor.buffers.lease(), at: Int64(index) * 4096)
                    }
                    while let completion = try await pipeline.next() { _ = try completion.result.get() }
                }
                try await file.close()
            }
        }
        // Done once a publication came after the last operation (the close).
        for _ in 0..<5000 where metrics.counterTotal(label: "pipe_operations_total", dimensions: [("op", "close"), ("result", "ok")]) < 1 {
            try await executor.run {}
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(metrics.counterTotal(label: "pipe_read_bytes_total") == 16384)
        #expect(metrics.counterTotal(label: "pipe_operations_total", dimensions: [("op", "read"), ("result", "ok")]) == 4)
        // The pipeline's 4 reads are timed like the open and the close: 6 latencies, none over a second.
        #expect(metrics.counterTotal(label: "pipe_io_latency_seconds_count") == 6)
        #expect(metrics.counterTotal(label: "pipe_io_latency_seconds_bucket", dimensions: [("le", "\(Double(1 << 20) / 1e6)")]) == 6)
        await executor.shutdown()
    }

    @Test func aLeaseThatWaitsForABufferIsTimed() async throws {
        let metrics = TestMetrics()
        var configuration = Support.executorConfiguration(count: 1, size: 4096)
        configuration.metrics = .init(label: "wait", interval: .milliseconds(1), factory: metrics)
        let executor = try RingExecutor(configuration: configuration)
        let pool = executor.buffers
        var held: BufferLease? = try await pool.lease()
        #expect(held.capacity == 4096)
        // A lease taken at once is not a wait: nothing is counted for it.
        let waiter = Task { try await pool.lease().capacity }
        while pool.waitingCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        held = nil  // the buffer goes to the waiter
        #expect(try await waiter.value == 4096)
        for _ in 0..<5000 where metrics.counterTotal(label: "wait_lease_wait_seconds_count") < 1 {
            try await executor.run {}
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(metrics.counterTotal(label: "wait_lease_wait_seconds_count") == 1)
        #expect(metrics.counterTotal(label: "wait_lease_wait_seconds_bucket", dimensions: [("le", "+Inf")]) == 1)
        // It waited at least until the test saw it queued, so more than a microsecond.
        #expect(metrics.counterTotal(label: "wait_lease_wait_seconds_bucket", dimensions: [("le", "1e-06")]) == 0)
        #expect(metrics.counterTotal(label: "wait_lease_wait_nanoseconds_total") > 1000)
        await executor.shutdown()
    }

    @Test func withoutMetricsNothingIsCounted() async throws {
        try await Support.withExecutor(count: 1, size: 4096) { executor in
            #expect(executor.core.statistics == nil)
        }
    }
}
