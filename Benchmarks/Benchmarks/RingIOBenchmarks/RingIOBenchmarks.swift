// RingIO benchmarks, run with `swift package --package-path Benchmarks benchmark`.
//
// ReadFixed4KRandomQD1 / ReadFixed4KRandomQD32: 4 KiB READ_FIXED reads at random 4 KiB-aligned
// offsets of a page-cached 256 MiB file, with 1 or 32 reads in flight. One sample is
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

    init(queueDepth: Int) throws {
        path = TestFile.defaultPath
        try TestFile.prepare(path: path)
        executor = try RingExecutor(configuration: RandomReadWorkload.executorConfiguration(queueDepth: queueDepth))
    }
}

private func readBenchmark(_ name: String, queueDepth: Int) {
    // Shared between the setup, the measured closure and teardown of one benchmark.
    nonisolated(unsafe) var context: BenchmarkContext?

    Benchmark(
        name,
        configuration: .init(
            metrics: [.throughput, .wallClock, .instructions, .mallocCountTotal],
            warmupIterations: 3,
            scalingFactor: .kilo,
            maxDuration: .seconds(2),
            maxIterations: 2_000,
            thresholds: [
                // Steady-state READ_FIXED must not allocate: the p90 of mallocs per sample
                // (1,000 reads) may not move at all from the recorded thresholds.
                .mallocCountTotal: .init(absolute: [.p90: 0])
            ],
            setup: {
                context = try BenchmarkContext(queueDepth: queueDepth)
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
        let workload = RandomReadWorkload(
            path: context.path,
            queueDepth: queueDepth,
            warmupReadsPerReader: 16,
            seed: 0x5EED_0F_F10 &+ UInt64(benchmark.currentIteration) &* 0x1_0000
        )
        let reads = benchmark.scaledIterations.count
        let executor = context.executor

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

let benchmarks: @Sendable () -> Void = {
    readBenchmark("ReadFixed4KRandomQD1", queueDepth: 1)
    readBenchmark("ReadFixed4KRandomQD32", queueDepth: 32)
}
