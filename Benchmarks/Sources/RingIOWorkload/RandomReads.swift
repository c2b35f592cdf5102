import RingIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Monotonic clock in nanoseconds (vDSO `clock_gettime`, no allocation).
@inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// Parameters of the random-read workload: `queueDepth` reader tasks, each holding one registered
/// buffer and keeping one `blockSize` READ_FIXED at a random aligned offset in flight.
public struct RandomReadWorkload: Sendable {
    /// When the measured phase ends.
    public enum Stop: Sendable {
        /// After this many reads in total (shared by all readers, so the queue stays full to the end).
        case operations(Int)
        /// After this long (each reader stops issuing reads once the deadline has passed).
        case duration(Duration)
    }

    public var path: String
    public var queueDepth: Int
    public var blockSize: Int
    /// Reads each reader does before the measured phase starts (ring, buffers and page tables warm).
    public var warmupReadsPerReader: Int
    public var seed: UInt64
    /// Open the file with O_DIRECT (reads bypass the page cache).
    public let direct: Bool
    /// Readers share one cursor and take consecutive blocks (wrapping at the end of the file)
    /// instead of drawing random offsets.
    public var sequential = false
    /// WRITE_FIXED the lease's bytes instead of reading (the file is opened read-write).
    public var write = false

    public init(
        path: String,
        queueDepth: Int,
        blockSize: Int = 4096,
        warmupReadsPerReader: Int = 64,
        seed: UInt64 = 0x5EED_0F_F10,
        direct: Bool = false,
        sequential: Bool = false,
        write: Bool = false
    ) {
        self.direct = direct
        self.sequential = sequential
        self.write = write
        self.path = path
        self.queueDepth = queueDepth
        self.blockSize = blockSize
        self.warmupReadsPerReader = warmupReadsPerReader
        self.seed = seed
    }

    /// The executor configuration the workload is meant to run on: enough registered buffers of
    /// `blockSize` bytes for every reader, like fio's `fixedbufs` with `bs=4k`.
    /// - Parameter metrics: turn RingIO's metrics on, into `CountingMetrics` (published every
    ///   millisecond, so publications fall inside every measured sample).
    public static func executorConfiguration(queueDepth: Int, blockSize: Int = 4096, metrics: Bool = false) -> RingExecutorConfiguration {
        var configuration = RingExecutorConfiguration(
            entries: UInt32(max(64, queueDepth.nextPowerOfTwo)),
            buffers: .init(count: max(64, queueDepth), size: max(blockSize, 4096))
        )
        if metrics { configuration.metrics = .init(interval: .milliseconds(1), factory: CountingMetrics.shared) }
        return configuration
    }
}

/// What the measured phase did.
public struct RandomReadResult: Sendable {
    /// Reads completed between the start and the end of the measured phase.
    public var operations: Int
    /// Length of the measured phase.
    public var nanoseconds: UInt64

    public var seconds: Double { Double(nanoseconds) / 1e9 }
    public var operationsPerSecond: Double { nanoseconds == 0 ? 0 : Double(operations) / seconds }
}

/// Shared by the reader tasks of one run. All fields are atomics or the barrier, so it is
/// `Sendable` without locks on the hot path.
final class RunState: Sendable {
    let start: Barrier
    let end: Barrier
    /// Reads left to hand out in `.operations` mode.
    let remaining: Atomic<Int>
    /// Deadline in `.duration` mode (monotonic ns), set when the measured phase starts.
    let deadline: Atomic<UInt64>
    let completed: Atomic<Int>
    let aborted: Atomic<Bool>
    let startedAt: Atomic<UInt64>
    let stoppedAt: Atomic<UInt64>
    /// Next block of a sequential workload.
    let cursor: Atomic<UInt64>

    /// What the run measured: reads completed and the measured window.
    var result: RandomReadResult {
        let started = startedAt.load(ordering: .acquiring)
        let stopped = stoppedAt.load(ordering: .acquiring)
        return RandomReadResult(
            operations: completed.load(ordering: .acquiring), nanoseconds: stopped >= started ? stopped - started : 0)
    }

    init(readers: Int, operations: Int) {
        start = Barrier(parties: readers)
        end = Barrier(parties: readers)
        remaining = Atomic(operations)
        deadline = Atomic(UInt64.max)
        completed = Atomic(0)
        aborted = Atomic(false)
        startedAt = Atomic(0)
        stoppedAt = Atomic(0)
        cursor = Atomic(0)
    }
}

extension RandomReadWorkload {
    /// Runs the workload on `executor`. Call it from inside `executor.run { ... }`.
    ///
    /// Every reader leases its buffer and does its warm-up reads, then all readers meet at a barrier;
    /// the last one to arrive calls `measurementStarted` and the measured phase begins. When the
    /// stop condition is reached the readers meet again and the last one calls `measurementStopped`
    /// before any of them returns its lease or finishes its task, so the measured window holds only
    /// the reads themselves.
    public func run(
        on executor: RingExecutor,
        until stop: Stop,
        measurementStarted: @escaping @Sendable () -> Void = {},
        measurementStopped: @escaping @Sendable () -> Void = {}
    ) async throws -> RandomReadResult {
        let blocks = try validatedBlocks()

        let operations: Int
        let duration: UInt64
        switch stop {
        case .operations(let count):
            operations = count
            duration = 0
        case .duration(let length):
            operations = Int.max
            let parts = length.components
            duration = UInt64(max(0, parts.seconds)) * 1_000_000_000 + UInt64(max(0, parts.attoseconds) / 1_000_000_000)
        }

        let state = RunState(readers: queueDepth, operations: operations)
        let file = try await File.open(path, mode: write ? .readWrite : .readOnly, options: direct ? .direct : [], on: executor)
        let workload = self

        do {
            if queueDepth == 1 {
                try await workload.reader(
                    0, file: file, executor: executor, blocks: blocks, duration: duration, state: state,
                    measurementStarted: measurementStarted, measurementStopped: measurementStopped
                )
            } else {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<queueDepth {
                        group.addTask {
                            try await workload.reader(
                                index, file: file, executor: executor, blocks: blocks, duration: duration,
                                state: state,
                                measurementStarted: measurementStarted, measurementStopped: measurementStopped
                            )
                        }
                    }
                    try await group.waitForAll()
                }
            }
        } catch {
            try? await file.close()
            throw error
        }
        try await file.close()

        return state.result
    }

    /// Runs the workload on every loop of `group` at once: `queueDepth` readers in all, spread
    /// over the loops round-robin, each on its loop (`loop.run`), with leases from the group's one
    /// pool and one `File` opened on the group. Measurement as in `run(on:until:…)`.
    public func run(
        on group: RingExecutorGroup,
        until stop: Stop,
        measurementStarted: @escaping @Sendable () -> Void = {},
        measurementStopped: @escaping @Sendable () -> Void = {}
    ) async throws -> RandomReadResult {
        let blocks = try validatedBlocks()
        guard case .operations(let operations) = stop else {
            throw WorkloadError.invalidArgument("a group run stops after a number of operations")
        }
        let state = RunState(readers: queueDepth, operations: operations)
        let file = try await File.open(path, mode: write ? .readWrite : .readOnly, options: direct ? .direct : [], on: group)
        let workload = self
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for index in 0..<queueDepth {
                    let loop = group.loops[index % group.loops.count]
                    tasks.addTask {
                        try await loop.run {
                            try await workload.reader(
                                index, file: file, executor: loop, blocks: blocks, duration: 0, state: state,
                                measurementStarted: measurementStarted, measurementStopped: measurementStopped)
                        }
                    }
                }
                try await tasks.waitForAll()
            }
        } catch {
            try? await file.close()
            throw error
        }
        try await file.close()
        return state.result
    }

    /// Checks the workload's shape against its file; returns the number of blocks in the file.
    func validatedBlocks() throws -> UInt64 {
        guard queueDepth >= 1 else { throw WorkloadError.invalidArgument("queue depth must be at least 1") }
        guard blockSize > 0, blockSize % 512 == 0 else {
            throw WorkloadError.invalidArgument("block size must be a positive multiple of 512")
        }
        let blocks = try TestFile.size(of: path) / UInt64(blockSize)
        guard blocks > 0 else { throw WorkloadError.invalidArgument("\(path) is smaller than one block") }
        return blocks
    }

    /// One reader: lease a buffer, warm up, meet at the start barrier, read until told to stop,
    /// meet at the end barrier. Always arrives at both barriers, even after an error, so that a
    /// failing reader cannot leave the others suspended forever.
    func reader(
        _ index: Int,
        file: File,
        executor: RingExecutor,
        blocks: UInt64,
        duration: UInt64,
        state: RunState,
        measurementStarted: @Sendable () -> Void,
        measurementStopped: @Sendable () -> Void
    ) async throws {
        var failure: (any Error)?
        var random = XorShift64Star(seed: seed &+ UInt64(index))
        let blockSize = self.blockSize
        let mask: UInt64? = blocks.nonzeroBitCount == 1 ? blocks - 1 : nil
        let range = 0..<blockSize

        let sequential = self.sequential
        let write = self.write

        @inline(__always)
        func nextOffset() -> UInt64 {
            if sequential {
                let index = state.cursor.wrappingAdd(1, ordering: .relaxed).oldValue
                return (mask.map { index & $0 } ?? (index % blocks)) &* UInt64(blockSize)
            }
            let value = random.next()
            let block = mask.map { value & $0 } ?? (value % blocks)
            return block &* UInt64(blockSize)
        }

        var lease: BufferLease
        do {
            lease = try await executor.buffers.lease()
        } catch {
            // Still take part in both barriers, then report.
            state.aborted.store(true, ordering: .relaxed)
            await state.start.arriveAndWait {
                state.startedAt.store(monotonicNanoseconds(), ordering: .releasing)
                measurementStarted()
            }
            await state.end.arriveAndWait {
                measurementStopped()
                state.stoppedAt.store(monotonicNanoseconds(), ordering: .releasing)
            }
            throw error
        }

        do {
            for _ in 0..<warmupReadsPerReader {
                let offset = nextOffset()
                let count = write
                    ? try await file.write(from: lease, range: range, at: Int64(bitPattern: offset))
                    : try await file.read(into: &lease, range: range, at: Int64(bitPattern: offset))
                guard count == blockSize else { throw WorkloadError.shortRead(offset: offset, expected: blockSize, got: count) }
            }
        } catch {
            failure = error
            state.aborted.store(true, ordering: .relaxed)
        }

        await state.start.arriveAndWait {
            let now = monotonicNanoseconds()
            if duration > 0 { state.deadline.store(now &+ duration, ordering: .releasing) }
            measurementStarted()
            state.startedAt.store(monotonicNanoseconds(), ordering: .releasing)
        }

        var done = 0
        if failure == nil {
            let deadline = state.deadline.load(ordering: .acquiring)
            do {
                while !state.aborted.load(ordering: .relaxed) {
                    if duration > 0 {
                        // Look at the clock every 64 reads: a vDSO call per read would cost ~2%.
                        if done & 63 == 0 && monotonicNanoseconds() >= deadline { break }
                    } else if state.remaining.subtract(1, ordering: .relaxed).newValue < 0 {
                        break
                    }
                    let offset = nextOffset()
                    let count = write
                    ? try await file.write(from: lease, range: range, at: Int64(bitPattern: offset))
                    : try await file.read(into: &lease, range: range, at: Int64(bitPattern: offset))
                    guard count == blockSize else {
                        throw WorkloadError.shortRead(offset: offset, expected: blockSize, got: count)
                    }
                    done &+= 1
                }
            } catch {
                failure = error
                state.aborted.store(true, ordering: .relaxed)
            }
        }
        state.completed.add(done, ordering: .relaxed)

        await state.end.arriveAndWait {
            state.stoppedAt.store(monotonicNanoseconds(), ordering: .releasing)
            measurementStopped()
        }
        _ = consume lease
        if let failure { throw failure }
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        guard self > 1 else { return 1 }
        return 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
