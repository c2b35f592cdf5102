import Foundation
import Glibc
@testable import RingIO
import Testing

/// readToEnd, chunks, write(contentsOf:) and copy, checked byte for byte against pwrite/pread.
@Suite("Streaming")
struct StreamingTests {
    // MARK: readToEnd

    @Test(arguments: [0, 1, 4095, 4096, 4097, 3 * 4096, 100_003])
    func readToEndEqualsPwrittenBytes(size: Int) async throws {
        try await Support.withFile(Support.bytes(count: size, seed: UInt64(size) + 11)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let got = try await executor.run {
                    let file = try await File.open(path, on: executor)
                    let bytes = try await file.readToEnd(maximumSize: size)
                    try await file.close()
                    return bytes
                }
                #expect(got.count == expected.count)
                #expect(got == expected)
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func readToEndOverTheLimitThrowsInvalidArgumentNamingSizeAndLimit() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 12)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    let error = await #expect(throws: RingIOError.self) {
                        _ = try await file.readToEnd(maximumSize: 9_999)
                    }
                    #expect(error?.code == .invalidArgument)
                    #expect(error?.operation == .readToEnd)
                    #expect(error?.description.contains("10000") == true)
                    #expect(error?.description.contains("9999") == true)
                    // Exactly at the limit is fine.
                    #expect(try await file.readToEnd(maximumSize: 10_000) == expected)
                    try await file.close()
                }
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func readToEndCountsArrivingBytesWhenTheSizeSaysNothing() async throws {
        // A pipe's status reports size 0, so only counting the bytes read can enforce the limit.
        try await Support.withExecutor(count: 4, size: 4096) { executor in
            let expected = Support.bytes(count: 10_000, seed: 13)
            for (limit, shouldFit) in [(9_000, false), (10_000, true)] {
                var fds: [Int32] = [0, 0]
                #expect(pipe(&fds) == 0)
                let written = expected.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
                #expect(written == expected.count)  // fits in the pipe's 64 KiB buffer
                close(fds[1])
                let readFD = fds[0]
                try await executor.run {
                    let file = File(unsafeDescriptor: readFD, path: "pipe", on: executor)
                    if shouldFit {
                        #expect(try await file.readToEnd(maximumSize: limit) == expected)
                    } else {
                        let error = await #expect(throws: RingIOError.self) {
                            _ = try await file.readToEnd(maximumSize: limit)
                        }
                        #expect(error?.code == .invalidArgument)
                        #expect(error?.description.contains("9000") == true)
                    }
                    try await file.close()
                }
                #expect(executor.buffers.available == 4)
            }
        }
    }

    // MARK: chunks

    @Test func chunksOfAFileLargerThanThePoolConcatenateToTheFileInOrder() async throws {
        try await Support.withFile(Support.bytes(count: 100_003, seed: 21)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let (data, offsets, counts, maxLeased) = try await executor.run { () -> ([UInt8], [Int64], [Int], Int) in
                    let file = try await File.open(path, on: executor)
                    var data: [UInt8] = []
                    var offsets: [Int64] = []
                    var counts: [Int] = []
                    var maxLeased = 0
                    for try await chunk in file.chunks(readAhead: 2) {
                        maxLeased = max(maxLeased, 4 - executor.buffers.available)
                        #expect(chunk.holdsLease)
                        #expect(chunk.bytes.count == chunk.count)
                        chunk.withBytes { span in #expect(span.byteCount == chunk.count) }
                        offsets.append(chunk.offset)
                        counts.append(chunk.count)
                        data += chunk.withUnsafeBytes { Array($0) }
                    }
                    try await file.close()
                    return (data, offsets, counts, maxLeased)
                }
                #expect(data.count == expected.count)
                #expect(data == expected)
                #expect(offsets == (0..<25).map { Int64($0 * 4096) })
                #expect(counts == Array(repeating: 4096, count: 24) + [100_003 - 24 * 4096])
                #expect(maxLeased <= 3, "one chunk held plus at most readAhead reads in flight")
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func filesOfProcfsAndSysfsAreReadInOrderAndDiskFilesAhead() async throws {
        try await Support.withExecutor { executor in
            try await executor.run {
                for path in ["/proc/self/status", "/sys/devices/system/cpu/online"] {
                    let file = try await File.open(path, on: executor)
                    #expect(file.readsInOrder, "\(path): generated as it is read")
                    #expect(!file.isStream, "\(path) has offsets")
                    try await file.close()
                }
            }
            try await Support.withFile(Support.bytes(count: 10, seed: 5)) { path, _ in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    #expect(!file.readsInOrder, "a file in the temp folder is read ahead")
                    try await file.close()
                }
            }
        }
    }

    @Test(.enabled(if: access("/proc/kallsyms", R_OK) == 0, "/proc/kallsyms is not readable here"))
    func chunksOfALargeProcFileEqualItsReadToEnd() async throws {
        // /proc/kallsyms is megabytes of text generated as it is read (chunks() used to read
        // ahead at later offsets there, ~100x slower than readToEnd); its content is stable.
        let path = "/proc/kallsyms"
        try await Support.withExecutor(count: 8, size: 64 << 10) { executor in
            try await executor.run {
                let file = try await File.open(path, on: executor)
                let whole = try await file.readToEnd(maximumSize: 64 << 20)
                var streamed: [UInt8] = []
                streamed.reserveCapacity(whole.count)
                for try await chunk in file.chunks(readAhead: 4) {
                    chunk.withUnsafeBytes { streamed.append(contentsOf: $0) }
                }
                #expect(whole.count > 100_000, "kallsyms has megabytes")
                #expect(streamed == whole)
                try await file.close()
            }
        }
    }

    @Test func chunksOfAPipeArriveInOrderDespiteReadAhead() async throws {
        // A pipe ignores offsets: overlapping reads would each take whichever bytes came next and
        // interleave the data. 4 MiB is far more than the pipe holds, so a writer thread feeds it,
        // in pieces that are not a multiple of the chunk size (so reads come back short and retry).
        let expected = Support.bytes(count: (4 << 20) + 123, seed: 77)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writeFD = fds[1]
        let writer = Thread {
            expected.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let written = write(writeFD, bytes.baseAddress! + done, min(1_000 + done % 7_000, bytes.count - done))
                    if written <= 0 { break }
                    done += written
                }
            }
            close(writeFD)
        }
        writer.start()
        try await Support.withExecutor(count: 8, size: 4096) { executor in
            let readFD = fds[0]
            let data = try await executor.run { () -> [UInt8] in
                let file = File(unsafeDescriptor: readFD, path: "pipe", on: executor)
                var data: [UInt8] = []
                for try await chunk in file.chunks(readAhead: 6) {
                    data += chunk.withUnsafeBytes { Array($0) }
                }
                try await file.close()
                return data
            }
            #expect(data.count == expected.count)
            let identical = data == expected  // not the arrays themselves: 4 MiB would flood the log
            #expect(identical, "the chunks, concatenated, are the bytes written into the pipe, in order")
            #expect(executor.buffers.available == 8)
        }
    }

    @Test func readAheadKeepsReadsInFlightWhileTheConsumerHoldsAChunk() async throws {
        try await Support.withFile(Support.bytes(count: 10 * 4096 + 5, seed: 27)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var data: [UInt8] = []
                    for try await chunk in file.chunks(readAhead: 2) {
                        if chunk.count == 4096 {
                            // This chunk's lease plus two reads ahead, each holding its own lease.
                            #expect(await Support.waitUntil(seconds: 1) { executor.buffers.available == 1 }, "offset \(chunk.offset)")
                            #expect(executor.buffers.available == 1, "never more than readAhead reads ahead")
                        } else {
                            #expect(executor.buffers.available == 3, "at end of file the reads ahead were given back")
                        }
                        data += chunk.bytes
                    }
                    #expect(data == expected)
                    try await file.close()
                }
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func streamingWorksFromATaskThatDoesNotRunOnTheExecutor() async throws {
        try await Support.withFile(Support.bytes(count: 30_001, seed: 28)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let file = try await File.open(path, on: executor)
                #expect(try await file.readToEnd(maximumSize: 1 << 20) == expected)
                var data: [UInt8] = []
                for try await chunk in file.chunks(size: 3000, readAhead: 3) {
                    #expect(chunk.offset == Int64(data.count))
                    data += chunk.bytes
                }
                #expect(data == expected)
                try await file.close()
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func chunksOfAnExactMultipleEndWithoutAnEmptyChunkAndAnEmptyFileHasNone() async throws {
        try await Support.withExecutor(count: 4, size: 4096) { executor in
            for size in [0, 8 * 4096] {
                try await Support.withFile(Support.bytes(count: size, seed: 22)) { path, expected in
                    let counts = try await executor.run { () -> [Int] in
                        let file = try await File.open(path, on: executor)
                        var counts: [Int] = []
                        var data: [UInt8] = []
                        for try await chunk in file.chunks(readAhead: 3) {
                            counts.append(chunk.count)
                            data += chunk.bytes
                        }
                        #expect(data == expected)
                        try await file.close()
                        return counts
                    }
                    #expect(counts == Array(repeating: 4096, count: size / 4096))
                    #expect(executor.buffers.available == 4)
                }
            }
        }
    }

    @Test func chunksWithACustomSizeAndStartOffset() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 23)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let chunks = try await executor.run { () -> [(Int64, [UInt8])] in
                    let file = try await File.open(path, on: executor)
                    var result: [(Int64, [UInt8])] = []
                    for try await chunk in file.chunks(size: 1000, readAhead: 4, from: 2_500) {
                        result.append((chunk.offset, chunk.bytes))
                    }
                    // Past the end: no chunks at all.
                    for try await _ in file.chunks(from: 20_000) { Issue.record("a chunk past end of file") }
                    try await file.close()
                    return result
                }
                #expect(chunks.map(\.0) == stride(from: 2_500, to: 10_000, by: 1000).map { Int64($0) })
                #expect(chunks.map(\.1.count) == Array(repeating: 1000, count: 7) + [500])
                #expect(chunks.flatMap(\.1) == Array(expected[2_500...]))
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func chunksInARangeCoverExactlyThatRangeUpToEndOfFile() async throws {
        let size = 5 * 4096 + 123
        try await Support.withFile(Support.bytes(count: size, seed: 41)) { path, expected in
            try await Support.withExecutor(count: 6, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    // (range, chunk length): inside the file, running past its end, empty, past it.
                    let cases: [(Range<Int64>, Int)] = [(1000..<15_000, 3000), (9000..<100_000, 4096), (77..<77, 10), (Int64(size + 10)..<Int64(size + 20), 4)]
                    for (range, length) in cases {
                        var data: [UInt8] = []
                        var offsets: [Int64] = []
                        for try await chunk in file.chunks(in: range, chunkLength: length, readAhead: 3) {
                            offsets.append(chunk.offset)
                            data += chunk.bytes
                        }
                        let lower = min(Int(range.lowerBound), size)
                        let upper = min(Int(range.upperBound), size)
                        #expect(data == Array(expected[lower..<upper]), "\(range)")
                        #expect(offsets == Array(stride(from: range.lowerBound, to: Int64(upper), by: length)), "\(range)")
                        #expect(executor.buffers.available == 6, "\(range): every lease back")
                    }
                    try await file.close()
                }
            }
        }
    }

    @Test func manyStreamsThroughATinyPoolAllFinishIntact() async throws {
        // 12 consumers, each reading ahead 4, share 4 buffers: read-ahead must never hold a lease
        // another stream needs to make progress.
        try await Support.withFile(Support.bytes(count: 64 * 4096 + 77, seed: 43)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let file = try await executor.run { try await File.open(path, on: executor) }
                let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<12 {
                        group.addTask {
                            var data: [UInt8] = []
                            let start = Int64(index * 1000)
                            for try await chunk in file.chunks(in: start..<Int64(expected.count), readAhead: 4) {
                                data += chunk.bytes
                                chunk.release()
                            }
                            return data == Array(expected[Int(start)...])
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(results == Array(repeating: true, count: 12))
                #expect(executor.buffers.available == 4)
                try await executor.run { try await file.close() }
            }
        }
    }

    @Test func breakingOutEarlyReturnsEveryLease() async throws {
        try await Support.withFile(Support.bytes(count: 100_003, seed: 24)) { path, expected in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    var seen = 0
                    for try await chunk in file.chunks(readAhead: 3) {
                        #expect(chunk.bytes == Array(expected[seen * 4096..<(seen + 1) * 4096]))
                        seen += 1
                        if seen == 3 { break }
                    }
                    #expect(seen == 3)
                    #expect(await Support.waitUntil(seconds: 2) { executor.buffers.available == 4 })

                    // A dropped iterator with reads in flight, and a chunk kept past the loop.
                    var kept: FileChunk?
                    do {
                        var iterator = file.chunks(readAhead: 3).makeAsyncIterator()
                        kept = try await iterator.next()
                    }
                    #expect(kept?.offset == 0)
                    #expect(await Support.waitUntil(seconds: 2) { executor.buffers.available == 3 })
                    kept?.release()
                    kept?.release()  // idempotent
                    #expect(kept?.holdsLease == false)
                    #expect(executor.buffers.available == 4)
                    try await file.close()
                }
            }
        }
    }

    @Test func cancellingTheConsumingTaskThrowsCancellationAndReturnsEveryLease() async throws {
        try await Support.withFile(Support.bytes(count: 100_003, seed: 25)) { path, _ in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let file = try await File.open(path, on: executor)
                let consumer = Task(executorPreference: executor) { () -> Int in
                    var seen = 0
                    for try await _ in file.chunks(readAhead: 3) {
                        seen += 1
                        if seen == 2 { withUnsafeCurrentTask { $0?.cancel() } }
                    }
                    return seen
                }
                await #expect(throws: CancellationError.self) { _ = try await consumer.value }
                #expect(await Support.waitUntil(seconds: 2) { executor.buffers.available == 4 })
                try await file.close()
            }
        }
    }

    @Test(.ioUringOnly("needs io_uring: a blocked pipe read on the thread pool cannot be cancelled"))
    func cancellingAConsumerWaitingOnBlockedReadsCancelsThemAndReturnsEveryLease() async throws {
        // Reads of an empty pipe block until cancelled; a watchdog ends them after 2 s if cancellation does not.
        try await Support.withExecutor(count: 4, size: 4096) { executor in
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            let file = File(unsafeDescriptor: fds[0], path: "pipe", on: executor)
            let consumer = Task(executorPreference: executor) { () -> Int in
                var seen = 0
                for try await _ in file.chunks(readAhead: 2) { seen += 1 }
                return seen
            }
            #expect(await Support.waitUntil(seconds: 2) { executor.buffers.available == 3 }, "one read in flight (a pipe is read one request at a time), with its lease")
            let watchdog = Task.detached { [writeFD = fds[1]] in
                try? await Task.sleep(nanoseconds: 2_000_000_000)
                close(writeFD)  // EOF for reads that were not cancelled
            }
            let clock = ContinuousClock()
            let start = clock.now
            consumer.cancel()
            let result = await consumer.result
            let elapsed = clock.now - start
            watchdog.cancel()
            await watchdog.value
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(elapsed < .seconds(1), "the blocked reads were cancelled, not ended by the watchdog")
            #expect(await Support.waitUntil(seconds: 2) { executor.buffers.available == 4 })
            try await file.close()
        }
    }

    @Test func chunksRefuseASizeOverTheBufferSizeAndOtherBadArguments() async throws {
        try await Support.withFile(Support.bytes(count: 10_000, seed: 26)) { path, _ in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                try await executor.run {
                    let file = try await File.open(path, on: executor)
                    for (size, readAhead, offset) in [(4097, 2, Int64(0)), (0, 2, 0), (4096, 0, 0), (4096, 2, -1)] {
                        let error = await #expect(throws: RingIOError.self, "size \(size) readAhead \(readAhead) offset \(offset)") {
                            for try await _ in file.chunks(size: size, readAhead: readAhead, from: offset) {
                                Issue.record("a chunk despite a bad argument")
                            }
                        }
                        #expect(error?.code == .invalidArgument)
                        #expect(error?.operation == .readChunks)
                    }
                    let error = await #expect(throws: RingIOError.self) {
                        for try await _ in file.chunks(size: 4097) {}
                    }
                    #expect(error?.description.contains("4097") == true)
                    #expect(error?.description.contains("4096") == true)
                    try await file.close()
                }
                #expect(executor.buffers.available == 4)
            }
        }
    }

    // MARK: write(contentsOf:)

    @Test func writeContentsOfThenPreadEquals() async throws {
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        try await Support.withExecutor(count: 4, size: 4096) { executor in
            let array = Support.bytes(count: 10_000, seed: 31)
            // Not contiguous: written byte by byte through the sequence's iterator.
            @Sendable func lazyBytes() -> LazyMapSequence<Range<Int>, UInt8> {
                (0..<9_000).lazy.map { (value: Int) in UInt8(truncatingIfNeeded: value &* 31 &+ 7) }
            }
            let (arrayWritten, lazyWritten, emptyWritten, sliceWritten) = try await executor.run { () -> (Int, Int, Int, Int) in
                let file = try await File.open(directory + "/out.bin", mode: .readWrite, options: [.create, .truncate], on: executor)
                let a = try await file.write(contentsOf: array, at: 100)
                let l = try await file.write(contentsOf: lazyBytes(), at: 20_000)
                let e = try await file.write(contentsOf: [UInt8](), at: 50_000)
                let s = try await file.write(contentsOf: array[8_000..<8_192], at: 40_000)
                try await file.close()
                return (a, l, e, s)
            }
            #expect(arrayWritten == 10_000)
            #expect(lazyWritten == 9_000)
            #expect(emptyWritten == 0)
            #expect(sliceWritten == 192)
            var expected = [UInt8](repeating: 0, count: 40_192)
            expected.replaceSubrange(100..<10_100, with: array)
            expected.replaceSubrange(20_000..<29_000, with: Array(lazyBytes()))
            expected.replaceSubrange(40_000..<40_192, with: array[8_000..<8_192])
            let got = Support.preadFile(directory + "/out.bin")
            #expect(got.count == expected.count)
            #expect(got == expected)
            #expect(executor.buffers.available == 4)
        }
    }

    // MARK: copy

    @Test func copyOfOneMebibytePlus17IsIdentical() async throws {
        let size = (1 << 20) + 17
        try await Support.withFile(Support.bytes(count: size, seed: 41)) { path, expected in
            try await Support.withExecutor(count: 4, size: 16 << 10) { executor in
                let target = path + ".copy"
                let copied = try await executor.run {
                    let source = try await File.open(path, on: executor)
                    let destination = try await File.open(target, mode: .writeOnly, options: [.create, .truncate], on: executor)
                    let copied = try await File.copy(from: source, to: destination, readAhead: 2)
                    try await source.close()
                    try await destination.close()
                    return copied
                }
                #expect(copied == Int64(size))
                let got = Support.preadFile(target)
                #expect(got.count == expected.count)
                #expect(got == expected)
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func copyOfAnEmptyFileCopiesNothing() async throws {
        try await Support.withFile([]) { path, _ in
            try await Support.withExecutor(count: 4, size: 4096) { executor in
                let target = path + ".copy"
                let copied = try await executor.run {
                    let source = try await File.open(path, on: executor)
                    let destination = try await File.open(target, mode: .writeOnly, options: [.create, .truncate], on: executor)
                    let copied = try await File.copy(from: source, to: destination)
                    try await source.close()
                    try await destination.close()
                    return copied
                }
                #expect(copied == 0)
                #expect(Support.preadFile(target).isEmpty)
                #expect(executor.buffers.available == 4)
            }
        }
    }

    @Test func copyBetweenExecutorsIsRefused() async throws {
        try await Support.withFile([1, 2, 3]) { path, _ in
            try await Support.withExecutor(count: 2, size: 4096) { one in
                try await Support.withExecutor(count: 2, size: 4096) { two in
                    let source = try await File.open(path, on: one)
                    let destination = try await File.open(path + ".copy", mode: .writeOnly, options: [.create], on: two)
                    let error = await #expect(throws: RingIOError.self) {
                        _ = try await File.copy(from: source, to: destination)
                    }
                    #expect(error?.code == .invalidArgument)
                    #expect(error?.operation == .copy)
                    #expect(Support.preadFile(path + ".copy").isEmpty)
                    try await source.close()
                    try await destination.close()
                }
            }
        }
    }
}
