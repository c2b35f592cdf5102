// compare-posix: the blocking anchors of `Benchmarks/compare`.
//
//   --system pread       a plain pread(2)/pwrite(2) loop (aligned buffer, O_DIRECT when the workload
//                        asks for it);
//   --system filehandle  Foundation FileHandle: seek(toOffset:) + read(upToCount:) / write(contentsOf:).
//
// Blocking calls keep one operation in flight per thread, so queue depth N = N threads, each with
// its own descriptor or FileHandle. Prints one JSON object (CompareSupport.Report).
import CompareSupport
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

let options = WorkerOptions.parse(CommandLine.arguments, systems: ["pread", "filehandle"])
let workload = options.workload
let fileSize = options.fileSize()
let depth = options.queueDepth
if options.system == "filehandle" && workload.isDirect {
    fail("FileHandle cannot do O_DIRECT (its reads allocate unaligned Data)")
}

let cursor = SharedCursor()
let window = Window(warmup: options.warmup, seconds: options.seconds)
let sampler = CPUSampler(window: window)

/// Results of the threads, each slot written once by its own thread before it signals `finished`.
final class Results: @unchecked Sendable {
    // Safety: slot i is written only by thread i, and read only after every thread signalled.
    // Raw buffers, not Arrays: concurrent writes to different elements of one Array are a race.
    let recorders: UnsafeMutableBufferPointer<Recorder?>
    let failures: UnsafeMutableBufferPointer<String?>
    init(count: Int) {
        recorders = .allocate(capacity: count)
        recorders.initialize(repeating: nil)
        failures = .allocate(capacity: count)
        failures.initialize(repeating: nil)
    }
}
let results = Results(count: depth)
let finished = DispatchSemaphore(value: 0)

for index in 0..<depth {
    let thread = Thread {
        do {
            let recorder = options.system == "pread"
                ? try preadWorker(index)
                : try fileHandleWorker(index)
            results.recorders[index] = recorder
        } catch {
            results.failures[index] = "\(error)"
        }
        finished.signal()
    }
    thread.stackSize = 1 << 20
    thread.start()
}
for _ in 0..<depth { finished.wait() }
if let failure = results.failures.compactMap({ $0 }).first { fail(failure) }
var total = Recorder()
for recorder in results.recorders { if let recorder { total.merge(recorder) } }
let cpu = sampler.wait()
let call = workload.isWrite ? "pwrite" : "pread"
Report(
    options: options, window: window, recorder: total, cpu: cpu,
    note: options.system == "pread"
        ? "\(depth) thread(s), blocking \(call)\(workload.isDirect ? ", O_DIRECT" : "")"
        : "\(depth) thread(s), FileHandle seek + \(workload.isWrite ? "write(contentsOf:)" : "read(upToCount:)")"
).print()

struct WorkerError: Error, CustomStringConvertible {
    var description: String
}

/// One thread of plain pread/pwrite into a page-aligned buffer.
func preadWorker(_ index: Int) throws -> Recorder {
    let blockSize = workload.blockSize
    var flags = workload.isWrite ? O_RDWR : O_RDONLY
    if workload.isDirect { flags |= openDirectFlag }
    let descriptor = open(options.path, flags | O_CLOEXEC)
    guard descriptor >= 0 else { throw WorkerError(description: "open(\(options.path)): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var memory: UnsafeMutableRawPointer?
    guard posix_memalign(&memory, 4096, blockSize) == 0, let buffer = memory else { throw WorkerError(description: "posix_memalign failed") }
    defer { free(buffer) }
    for position in 0..<blockSize { buffer.storeBytes(of: UInt8(truncatingIfNeeded: position &+ index), toByteOffset: position, as: UInt8.self) }

    var offsets = OffsetSource(worker: index, workload: workload, fileSize: fileSize, cursor: cursor)
    var recorder = Recorder()
    var started = nanosecondsNow()
    while started < window.end {
        let offset = offsets.next()
        let count = workload.isWrite
            ? pwrite(descriptor, buffer, blockSize, off_t(offset))
            : pread(descriptor, buffer, blockSize, off_t(offset))
        guard count == blockSize else {
            throw WorkerError(description: "\(workload.isWrite ? "pwrite" : "pread") at \(offset): \(count < 0 ? String(cString: strerror(errno)) : "short, \(count) bytes")")
        }
        let finished = nanosecondsNow()
        if started >= window.start { recorder.record(nanoseconds: finished &- started, bytes: count) }
        started = finished
    }
    return recorder
}

/// One thread with its own Foundation FileHandle.
func fileHandleWorker(_ index: Int) throws -> Recorder {
    let blockSize = workload.blockSize
    let url = URL(fileURLWithPath: options.path)
    let handle = workload.isWrite ? try FileHandle(forUpdating: url) : try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    let payload = Data((0..<blockSize).map { UInt8(truncatingIfNeeded: $0 &+ index) })
    var offsets = OffsetSource(worker: index, workload: workload, fileSize: fileSize, cursor: cursor)
    var recorder = Recorder()
    var started = nanosecondsNow()
    while started < window.end {
        let offset = offsets.next()
        try handle.seek(toOffset: UInt64(offset))
        let count: Int
        if workload.isWrite {
            try handle.write(contentsOf: payload)
            count = blockSize
        } else {
            count = try handle.read(upToCount: blockSize)?.count ?? 0
        }
        guard count == blockSize else { throw WorkerError(description: "FileHandle read at \(offset): short, \(count) bytes") }
        let finished = nanosecondsNow()
        if started >= window.start { recorder.record(nanoseconds: finished &- started, bytes: count) }
        started = finished
    }
    return recorder
}
