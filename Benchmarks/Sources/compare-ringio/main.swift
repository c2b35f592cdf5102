// compare-ringio: the RingIO side of `Benchmarks/compare`.
//
// `--system ringio`: queue depth N = N tasks inside `executor.run { }` (so they prefer the ring
// executor), each holding one registered buffer and keeping one READ_FIXED / WRITE_FIXED in flight
// (one `await` per I/O).
// `--system ringio-pipeline`: one task keeps N operations in flight through `File.withPipeline`,
// resubmitting each buffer as its completion is taken (one resume per batch of completions).
// `--system ringio-group` / `ringio-group-pipeline`: the same on a `RingExecutorGroup` with one
// loop per CPU and one shared pool: the N in flight are split over the loops, one `File` for all.
// `--system ringio-group-children`: the group, with the N tasks started as child tasks of one
// task that prefers the group (`withTaskExecutorPreference(group)`), all on its loop: the group's
// placement spreads them over the loops.
// `--system ringio-nio` (seqread, depth 1 only): RingIONIO's `readChunks(in:chunkLength:)`, one
// stream of `ByteBuffer`s, the same loop as compare-nio's NIOFileSystem `readChunks` stream, run
// inside `executor.run { }` (a service would run it under `withTaskExecutorPreference`).
// Prints one JSON object (CompareSupport.Report).
import CompareSupport
import NIOCore
import RingIO
import RingIONIO

let options = WorkerOptions.parse(
    CommandLine.arguments, systems: ["ringio", "ringio-pipeline", "ringio-group", "ringio-group-pipeline", "ringio-group-children", "ringio-nio"])
let workload = options.workload
let fileSize = options.fileSize()
let depth = options.queueDepth
let pipelined = options.system.hasSuffix("-pipeline")
let grouped = options.system.hasPrefix("ringio-group")
let children = options.system == "ringio-group-children"
let byteBuffers = options.system == "ringio-nio"
if byteBuffers && !(workload.isSequential && depth == 1) {
    fail("ringio-nio runs one readChunks stream: seqread at depth 1 only")
}

/// Enough SQ entries for every task and a registered buffer of one block per task, like fio's
/// `fixedbufs`.
var configuration = RingExecutorConfiguration(
    entries: UInt32(max(64, depth.nextPowerOfTwo)),
    buffers: .init(count: max(8, depth), size: workload.blockSize)
)
configuration.policy = .requireIOURing

/// Runs `share` operations in flight on `executor` (already on its loop): tasks or one pipeline.
/// `firstWorker` numbers the tasks across loops, so each has its own offsets.
func load(share: Int, firstWorker: Int, file: File, executor: RingExecutor, window: Window, cursor: SharedCursor) async throws -> Recorder {
    if pipelined {
        return try await pipelineWorker(worker: firstWorker, depth: share, file: file, executor: executor, window: window, cursor: cursor)
    }
    return try await withThrowingTaskGroup(of: Recorder.self) { group in
        for index in firstWorker..<(firstWorker + share) {
            group.addTask {
                try await worker(index, file: file, executor: executor, window: window, cursor: cursor)
            }
        }
        var total = Recorder()
        for try await part in group { total.merge(part) }
        return total
    }
}

func openFile(on executor: RingExecutor, group: RingExecutorGroup?) async throws -> File {
    let mode: File.Mode = workload.isWrite ? .readWrite : .readOnly
    let fileOptions: File.Options = workload.isDirect ? .direct : []
    if let group { return try await File.open(options.path, mode: mode, options: fileOptions, on: group) }
    return try await File.open(options.path, mode: mode, options: fileOptions, on: executor)
}

do {
    let group = grouped ? try RingExecutorGroup(configuration: .init(executor: configuration)) : nil
    let executor = try group?.loops[0] ?? RingExecutor(configuration: configuration)
    let loops = group?.loops ?? [executor]
    let cursor = SharedCursor()
    let window = Window(warmup: options.warmup, seconds: options.seconds)
    let sampler = CPUSampler(window: window)
    let file = try await executor.run { try await openFile(on: executor, group: group) }
    let recorder: Recorder
    do {
        if byteBuffers {
            recorder = try await executor.run { try await chunkStream(file: file, window: window) }
        } else if children, let group {
            recorder = try await withTaskExecutorPreference(group) {
                try await withThrowingTaskGroup(of: Recorder.self) { tasks in
                    for index in 0..<depth {
                        tasks.addTask { try await worker(index, file: file, executor: executor, window: window, cursor: cursor) }
                    }
                    var total = Recorder()
                    for try await part in tasks { total.merge(part) }
                    return total
                }
            }
        } else {
            recorder = try await withThrowingTaskGroup(of: Recorder.self) { tasks in
                var firstWorker = 0
                for (index, loop) in loops.enumerated() {
                    let share = depth / loops.count + (index < depth % loops.count ? 1 : 0)
                    guard share > 0 else { continue }
                    let first = firstWorker
                    firstWorker += share
                    tasks.addTask {
                        try await loop.run {
                            try await load(share: share, firstWorker: first, file: file, executor: loop, window: window, cursor: cursor)
                        }
                    }
                }
                var total = Recorder()
                for try await part in tasks { total.merge(part) }
                return total
            }
        }
        try await executor.run { try await file.close() }
    } catch {
        try? await executor.run { try await file.close() }
        throw error
    }
    let cpu = sampler.wait()
    if let group { await group.shutdown() } else { await executor.shutdown() }
    let opcode = workload.isWrite ? "WRITE_FIXED" : "READ_FIXED"
    let shape = pipelined ? "File.withPipeline, \(depth) in flight" : children ? "\(depth) child tasks of one task that prefers the group" : "\(depth) task(s)"
    let place = group.map { "a group of \($0.loops.count) loops (pool \($0.capabilities[0].bufferSharing))" } ?? "the ring executor"
    let note = byteBuffers
        ? "RingIONIO readChunks(in:chunkLength:), one stream of ByteBuffers on the ring executor (READ_FIXED, one copy per chunk)"
        : "\(shape) on \(place), \(opcode), registered file: \(executor.capabilities.registeredFiles)"
    Report(options: options, window: window, recorder: recorder, cpu: cpu, note: note).print()
} catch {
    fail("\(error)")
}

/// One `readChunks` stream over the whole file, started again at the end until the window closes:
/// the same measurement as compare-nio's (the gap between chunks handed out).
func chunkStream(file: File, window: Window) async throws -> Recorder {
    var recorder = Recorder()
    var offset: Int64 = 0
    outer: while true {
        var started = nanosecondsNow()
        for try await chunk in file.readChunks(in: 0..<fileSize, chunkLength: .bytes(workload.blockSize)) {
            guard chunk.readableBytes == workload.blockSize else {
                throw CompareError.shortTransfer(offset: offset, expected: workload.blockSize, got: chunk.readableBytes)
            }
            let finished = nanosecondsNow()
            if started >= window.start { recorder.record(nanoseconds: finished &- started, bytes: chunk.readableBytes) }
            offset += Int64(chunk.readableBytes)
            started = finished
            if started >= window.end { break outer }
        }
        offset = 0
    }
    return recorder
}

/// One task: lease a buffer, then keep one operation in flight until the window closes.
func worker(_ index: Int, file: File, executor: RingExecutor, window: Window, cursor: SharedCursor) async throws -> Recorder {
    var lease = try await executor.buffers.lease()
    let blockSize = workload.blockSize
    let range = 0..<blockSize
    if workload.isWrite {
        lease.withUnsafeMutableBytes { bytes in
            // Safety: the lease is ours and the kernel is not using it.
            for position in 0..<bytes.count { bytes[position] = UInt8(truncatingIfNeeded: position &+ index) }
        }
    }
    var offsets = OffsetSource(worker: index, workload: workload, fileSize: fileSize, cursor: cursor)
    var recorder = Recorder()
    // One clock read per operation: the end of one is the start of the next.
    var started = nanosecondsNow()
    while started < window.end {
        let offset = offsets.next()
        let count: Int
        if workload.isWrite {
            count = try await file.write(from: lease, range: range, at: offset)
        } else {
            count = try await file.read(into: &lease, range: range, at: offset)
        }
        guard count == blockSize else {
            throw CompareError.shortTransfer(offset: offset, expected: blockSize, got: count)
        }
        let finished = nanosecondsNow()
        if started >= window.start { recorder.record(nanoseconds: finished &- started, bytes: count) }
        started = finished
    }
    return recorder
}

/// One task, one pipeline of `depth` operations: each completion's lease goes straight back in
/// with the next offset. The tag carries the operation's start time (the clock read of the batch
/// in which the previous completion was taken); the clock is read once per batch of completions,
/// as bare-uring does, and latency is measured from batch to batch.
func pipelineWorker(worker: Int, depth: Int, file: File, executor: RingExecutor, window: Window, cursor: SharedCursor) async throws -> Recorder {
    let blockSize = workload.blockSize
    let range = 0..<blockSize
    var offsets = OffsetSource(worker: worker, workload: workload, fileSize: fileSize, cursor: cursor)
    var recorder = Recorder()
    try await file.withPipeline(depth: depth) { pipeline in
        let now = nanosecondsNow()
        for index in 0..<depth {
            var lease = try await executor.buffers.lease()
            if workload.isWrite {
                lease.withUnsafeMutableBytes { bytes in
                    // Safety: the lease is ours and the kernel is not using it.
                    for position in 0..<bytes.count { bytes[position] = UInt8(truncatingIfNeeded: position &+ index) }
                }
                lease.count = blockSize
                try await pipeline.write(from: lease, range: range, at: offsets.next(), tag: Int(truncatingIfNeeded: now))
            } else {
                try await pipeline.read(into: lease, range: range, at: offsets.next(), tag: Int(truncatingIfNeeded: now))
            }
        }
        var finished = now
        while true {
            // One clock read per batch of completions, as bare-uring does: a batch starts when
            // next() has to wait.
            let newBatch = pipeline.readyCount == 0
            guard let completion = try await pipeline.next() else { break }
            if newBatch { finished = nanosecondsNow() }
            let count = try completion.result.get()
            guard count == blockSize else {
                throw CompareError.shortTransfer(offset: completion.offset, expected: blockSize, got: count)
            }
            let started = UInt64(truncatingIfNeeded: completion.tag)
            if started >= window.start { recorder.record(nanoseconds: finished &- started, bytes: count) }
            guard finished < window.end else { continue }  // let the rest drain
            let lease = completion.takeLease()
            if workload.isWrite {
                try await pipeline.write(from: lease, range: range, at: offsets.next(), tag: Int(truncatingIfNeeded: finished))
            } else {
                try await pipeline.read(into: lease, range: range, at: offsets.next(), tag: Int(truncatingIfNeeded: finished))
            }
        }
    }
    return recorder
}

enum CompareError: Error, CustomStringConvertible {
    case shortTransfer(offset: Int64, expected: Int, got: Int)
    var description: String {
        switch self {
        case let .shortTransfer(offset, expected, got): return "short transfer at offset \(offset): \(got) of \(expected) bytes"
        }
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        guard self > 1 else { return 1 }
        return 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}

