// compare-nio: the SwiftNIO side of `Benchmarks/compare` — `_NIOFileSystem` on `FileSystem.shared`
// (its default thread pool), what Swift services use for async file I/O today.
//
//   random reads   N tasks, each awaiting readChunk(fromAbsoluteOffset:length:) in a loop;
//   sequential     depth 1: one readChunks(in:chunkLength:) stream, the API for streaming a file (it
//                  reads ahead a few chunks, so its "latency" is the gap between chunks handed out);
//                  depth N: N tasks with readChunk at offsets claimed from a shared cursor;
//   random writes  N tasks, each awaiting write(contentsOf:toAbsoluteOffset:) in a loop.
// NIOFileSystem has no O_DIRECT option, so `directread` is refused. Prints one JSON object.
import CompareSupport
import NIOCore
import _NIOFileSystem

let options = WorkerOptions.parse(CommandLine.arguments, systems: ["nio"])
let workload = options.workload
let fileSize = options.fileSize()
let depth = options.queueDepth
if workload.isDirect { fail("NIOFileSystem has no O_DIRECT option") }

let cursor = SharedCursor()
let window = Window(warmup: options.warmup, seconds: options.seconds)
let sampler = CPUSampler(window: window)
let path = FilePath(options.path)

struct ShortTransfer: Error, CustomStringConvertible {
    var offset: Int64
    var count: Int
    var description: String { "short transfer at offset \(offset): \(count) of \(workload.blockSize) bytes" }
}

do {
    let total: Recorder
    if workload.isWrite {
        total = try await FileSystem.shared.withFileHandle(
            forWritingAt: path, options: .modifyFile(createIfNecessary: false)
        ) { handle in
            try await withThrowingTaskGroup(of: Recorder.self) { group in
                for index in 0..<depth {
                    group.addTask {
                        let payload = ByteBuffer(bytes: (0..<workload.blockSize).map { UInt8(truncatingIfNeeded: $0 &+ index) })
                        var offsets = OffsetSource(worker: index, workload: workload, fileSize: fileSize, cursor: cursor)
                        var recorder = Recorder()
                        var started = nanosecondsNow()
                        while started < window.end {
                            let offset = offsets.next()
                            let count = try await handle.write(contentsOf: payload, toAbsoluteOffset: offset)
                            guard count == workload.blockSize else { throw ShortTransfer(offset: offset, count: Int(count)) }
                            let finished = nanosecondsNow()
                            if started >= window.start { recorder.record(nanoseconds: finished &- started, bytes: Int(count)) }
                            started = finished
                        }
                        return recorder
                    }
                }
                var total = Recorder()
                for try await part in group { total.merge(part) }
                return total
            }
        }
    } else if workload.isSequential && depth == 1 {
        total = try await FileSystem.shared.withFileHandle(forReadingAt: path) { handle in
            var recorder = Recorder()
            var offset: Int64 = 0
            outer: while true {
                var started = nanosecondsNow()
                for try await chunk in handle.readChunks(in: 0..<fileSize, chunkLength: .bytes(Int64(workload.blockSize))) {
                    guard chunk.readableBytes == workload.blockSize else { throw ShortTransfer(offset: offset, count: chunk.readableBytes) }
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
    } else {
        total = try await FileSystem.shared.withFileHandle(forReadingAt: path) { handle in
            try await withThrowingTaskGroup(of: Recorder.self) { group in
                for index in 0..<depth {
                    group.addTask {
                        var offsets = OffsetSource(worker: index, workload: workload, fileSize: fileSize, cursor: cursor)
                        var recorder = Recorder()
                        var started = nanosecondsNow()
                        while started < window.end {
                            let offset = offsets.next()
                            let chunk = try await handle.readChunk(fromAbsoluteOffset: offset, length: .bytes(Int64(workload.blockSize)))
                            guard chunk.readableBytes == workload.blockSize else { throw ShortTransfer(offset: offset, count: chunk.readableBytes) }
                            let finished = nanosecondsNow()
                            if started >= window.start { recorder.record(nanoseconds: finished &- started, bytes: chunk.readableBytes) }
                            started = finished
                        }
                        return recorder
                    }
                }
                var total = Recorder()
                for try await part in group { total.merge(part) }
                return total
            }
        }
    }
    let cpu = sampler.wait()
    let how: String
    if workload.isWrite {
        how = "\(depth) task(s), write(contentsOf:toAbsoluteOffset:)"
    } else if workload.isSequential && depth == 1 {
        how = "one readChunks(in:chunkLength:) stream"
    } else {
        how = "\(depth) task(s), readChunk(fromAbsoluteOffset:length:)"
    }
    Report(options: options, window: window, recorder: total, cpu: cpu, note: "FileSystem.shared, " + how).print()
} catch {
    fail("\(error)")
}
