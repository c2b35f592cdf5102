// RingIO benchmarks, run with `swift package --package-path Benchmarks benchmark`.
//
// ReadFixed4KRandomQD1 / ReadFixed4KRandomQD32: 4 KiB READ_FIXED reads at random 4 KiB-aligned
// offsets of a page-cached 256 MiB file, with 1 or 32 reads in flight (one task per read in
// flight); ReadFixed4KRandomPipelineQD32: the same from one task through File.withPipeline. One sample is
// `benchmark.scaledIterations.count` (1,000) reads; with `scalingFactor: .kilo` the scaled
// columns are per read (wall clock ns/read, mallocs/read, instructions/read) and throughput is
// reads per second.
//
// Each sample opens the file, leases one registered buffer per reader and does warm-up reads
// before `startMeasurement()`; `stopMeasurement()` is called before any lease is returned or any
// reader task ends. So the measured window holds the reads only, and `mallocCountTotal` counts
// what RingIO allocates per read in steady state (the goal is 0).
//
// The File calls themselves live in the RingIOWorkload module, not here: this module imports
// Benchmark, which brings in swift-system's CSystem module with <linux/io_uring.h>, and a module
// that also calls RingIO's File API (which loads CRingIO, with liburing's own copy of io_uring.h)
// fails to compile: clang reports that io_uring_sqe differs between the two modules.

import Benchmark
import RingIO
import RingIOWorkload

/// One executor per benchmark, created in its setup and shut down in its teardown.
final class BenchmarkContext: Sendable {
    let executor: RingExecutor
    let path: String

    init(queueDepth: Int, blockSize: Int = 4096, path: String = TestFile.defaultPath, metrics: Bool = false) throws {
        self.path = path
        try TestFile.prepare(path: path)
        executor = try RingExecutor(configuration: RandomReadWorkload.executorConfiguration(
            queueDepth: queueDepth, blockSize: blockSize, metrics: metrics))
    }
}

/// The file the write benchmark overwrites: separate from the read benchmarks' file, so that its
/// dirty pages and their writeback never sit under a read benchmark.
private var writeFilePath: String {
    String(TestFile.defaultPath.dropLast(".dat".count)) + "-write.dat"
}

/// Metrics for every benchmark: per-operation wall clock and instructions, throughput, and the
/// heap allocations that must stay at 0 per operation in steady state.
private var allMetrics: [BenchmarkMetric] { [.throughput, .wallClock, .instructions, .mallocCountTotal] }

/// mallocCountTotal may not move at all from the recorded p90 (which is 0 per sample).
private var noAllocations: [BenchmarkMetric: BenchmarkThresholds] { [.mallocCountTotal: .init(absolute: [.p90: 0])] }

/// The configuration every benchmark here shares: per-operation metrics over samples of 1,000
/// operations, and the malloc gate. Steady-state I/O must not allocate: the p90 of mallocs per
/// sample may not move at all from the recorded thresholds.
private func gatedConfiguration(
    setup: @escaping Benchmark.BenchmarkSetupHook, teardown: @escaping Benchmark.BenchmarkTeardownHook
) -> Benchmark.Configuration {
    .init(
        metrics: allMetrics, warmupIterations: 3, scalingFactor: .kilo, maxDuration: .seconds(2),
        maxIterations: 2_000, thresholds: noAllocations, setup: setup, teardown: teardown)
}

/// - Parameter pipelined: one task keeps the `queueDepth` reads in flight through
///   `File.withPipeline` instead of one task per read (random 4 KiB reads only).
private func readBenchmark(
    _ name: String, queueDepth: Int, blockSize: Int = 4096, sequential: Bool = false, write: Bool = false,
    pipelined: Bool = false, metrics: Bool = false
) {
    // Shared between the setup, the measured closure and teardown of one benchmark.
    nonisolated(unsafe) var context: BenchmarkContext?

    Benchmark(
        name,
        configuration: gatedConfiguration(
            setup: {
                context = try BenchmarkContext(
                    queueDepth: queueDepth, blockSize: blockSize, path: write ? writeFilePath : TestFile.defaultPath,
                    metrics: metrics
                )
            },
            teardown: {
                if let executor = context?.executor {
                    await executor.shutdown()
                }
                context = nil
            }
        )
    ) { benchmark in
        guard let context else {
            benchmark.error("benchmark setup did not run")
            return
        }
        nonisolated(unsafe) let benchmark = benchmark
        // A different (but reproducible) offset stream in every sample: with one fixed seed every
        // sample would re-read the same ~1,000 blocks, which then sit in the CPU caches and make
        // the reads look cheaper than random reads over the whole 256 MiB are.
        let seed = 0x5EED_0F_F10 &+ UInt64(benchmark.currentIteration) &* 0x1_0000
        let reads = benchmark.scaledIterations.count
        let executor = context.executor
        if pipelined {
            let path = context.path
            try await executor.run {
                try await PipelineWorkload.randomReads(
                    on: executor, path: path, depth: queueDepth, count: reads, seed: seed,
                    measurementStarted: { benchmark.startMeasurement() },
                    measurementStopped: { benchmark.stopMeasurement() })
            }
            return
        }
        let workload = RandomReadWorkload(
            path: context.path,
            queueDepth: queueDepth,
            blockSize: blockSize,
            warmupReadsPerReader: 16,
            seed: seed,
            sequential: sequential,
            write: write
        )

        let result = try await executor.run {
            try await workload.run(
                on: executor,
                until: .operations(reads),
                measurementStarted: { benchmark.startMeasurement() },
                measurementStopped: { benchmark.stopMeasurement() }
            )
        }
        if result.operations != reads {
            benchmark.error("expected \(reads) reads, completed \(result.operations)")
        }
    }
}

/// A benchmark of the runtime alone (no file): `body` runs inside `executor.run { }` with the
/// measurement callbacks and the number of operations of one sample.
private func runtimeBenchmark(
    _ name: String,
    _ body: @escaping @Sendable (RingExecutor, Int, () -> Void, () -> Void) async throws -> Void
) {
    nonisolated(unsafe) var executor: RingExecutor?
    Benchmark(
        name,
        configuration: gatedConfiguration(
            setup: { executor = try RingExecutor(configuration: .init(entries: 64, buffers: .init(count: 8, size: 4096))) },
            teardown: {
                if let executor { await executor.shutdown() }
                executor = nil
            }
        )
    ) { benchmark in
        guard let executor else {
            benchmark.error("benchmark setup did not run")
            return
        }
        nonisolated(unsafe) let benchmark = benchmark
        let count = benchmark.scaledIterations.count
        try await executor.run {
            try await body(executor, count, { benchmark.startMeasurement() }, { benchmark.stopMeasurement() })
        }
    }
}

/// 4 KiB random READ_FIXED reads on a two-loop group: `queueDepth` readers spread over both
/// loops, one pool cloned into both rings, one `File`; mallocs per read must stay 0 on every loop.
private func groupReadBenchmark(_ name: String, queueDepth: Int) {
    nonisolated(unsafe) var group: RingExecutorGroup?
    Benchmark(
        name,
        configuration: gatedConfiguration(
            setup: {
                try TestFile.prepare(path: TestFile.defaultPath)
                group = try RingExecutorGroup(configuration: .init(
                    loops: 2, executor: RandomReadWorkload.executorConfiguration(queueDepth: queueDepth)))
            },
            teardown: {
                if let group { await group.shutdown() }
                group = nil
            }
        )
    ) { benchmark in
        guard let group else {
            benchmark.error("benchmark setup did not run")
            return
        }
        nonisolated(unsafe) let benchmark = benchmark
        let reads = benchmark.scaledIterations.count
        let workload = RandomReadWorkload(
            path: TestFile.defaultPath, queueDepth: queueDepth, blockSize: 4096, warmupReadsPerReader: 16,
            seed: 0x5EED_0F_F10 &+ UInt64(benchmark.currentIteration) &* 0x1_0000)
        let result = try await workload.run(
            on: group, until: .operations(reads),
            measurementStarted: { benchmark.startMeasurement() },
            measurementStopped: { benchmark.stopMeasurement() })
        if result.operations != reads {
            benchmark.error("expected \(reads) reads, completed \(result.operations)")
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    readBenchmark("ReadFixed4KRandomQD1", queueDepth: 1)
    readBenchmark("ReadFixed4KRandomQD32", queueDepth: 32)
    // The same with RingIO's metrics on (counts per I/O, latency buckets, a publication every
    // millisecond into an allocation-free backend): still 0 mallocs per read.
    readBenchmark("ReadFixed4KRandomQD32Metrics", queueDepth: 32, metrics: true)
    // The same reads from one task keeping 32 in flight with File.withPipeline (one resume per
    // batch of completions instead of one per read).
    readBenchmark("ReadFixed4KRandomPipelineQD32", queueDepth: 32, pipelined: true)
    // Two loops, one shared pool: 0 mallocs per read on every loop.
    groupReadBenchmark("GroupReadFixed4KRandomQD32", queueDepth: 32)
    // 128 KiB blocks, 8 in flight, consecutive offsets: what streaming a file looks like.
    readBenchmark("ReadFixed128KSequentialQD8", queueDepth: 8, blockSize: 128 << 10, sequential: true)
    // 4 KiB WRITE_FIXED at random offsets into the page cache (no fsync), 32 in flight.
    readBenchmark("WriteFixed4KRandomQD32", queueDepth: 32, write: true)
    // IORING_OP_NOP one at a time: submit, reap and resume, i.e. RingIO's own cost per operation.
    runtimeBenchmark("NopRoundTrip") { executor, count, started, stopped in
        try await MicroWorkload.nops(on: executor, count: count, measurementStarted: started, measurementStopped: stopped)
    }
    // lease() and giving the buffer back, with buffers free (the path every I/O starts with).
    runtimeBenchmark("LeaseAndReturn") { executor, count, started, stopped in
        try await MicroWorkload.leases(on: executor, count: count, measurementStarted: started, measurementStopped: stopped)
    }
}
