import Glibc
@testable import RingIO
import Testing

/// `shutdownGracefully(within:)`: new work refused at once, what is in flight finishes within the
/// deadline, the rest is cancelled with every lease back.
@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test func inFlightReadsFinishWhileNewWorkIsRefused() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        let pipe = try Pipe()
        let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
        let reader = Task(executorPreference: executor) { () -> [UInt8] in
            var lease = try await executor.buffers.lease()
            let n = try await file.read(into: &lease, at: 0)
            return Array(lease.bytes.prefix(n))
        }
        #expect(await Support.waitUntil { executor.core.table.armedCount == 1 })
        let shutdown = Task { await executor.shutdownGracefully(within: .seconds(60)) }
        #expect(await Support.waitUntil { executor.core.lifecycle == .draining })
        // New work is refused at once: a new operation, a new `run`.
        let refused = await #expect(throws: RingIOError.self) { try await File.status(of: "/", on: executor) }
        #expect(refused?.code == .shutDown)
        await #expect(throws: RingIOError.self) { try await executor.run {} }
        // The read in flight is not cancelled: fed now, it completes with the bytes.
        pipe.write([5, 6, 7, 8])
        #expect(try await reader.value == [5, 6, 7, 8])
        #expect(await shutdown.value == true, "everything in flight finished in time")
        #expect(executor.isShutDown)
        #expect(executor.buffers.available == 2)
    }

    @Test(.ioUringOnly("a blocked pipe read on the thread pool cannot be cancelled"))
    func whatOutlivesTheTimeoutIsCancelledAndItsLeaseComesBack() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        let (reader, pipe) = try await Self.readInFlight(on: executor)
        defer { withExtendedLifetime(pipe) {} }  // the write end stays open: the read stays in flight
        let drained = await executor.shutdownGracefully(within: .milliseconds(50))
        #expect(drained == false)
        let error = await #expect(throws: RingIOError.self) { try await reader.value }
        #expect(error?.code == .shutDown)
        #expect(executor.isShutDown)
        #expect(executor.buffers.available == 2, "the lease came back once the kernel was done with its buffer")
    }

    @Test(.ioUringOnly("a blocked pipe read on the thread pool cannot be cancelled"))
    func cancellingTheCallerEndsTheGracePeriodAtOnce() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        let (reader, pipe) = try await Self.readInFlight(on: executor)
        defer { withExtendedLifetime(pipe) {} }  // the write end stays open: the read stays in flight
        let shutdown = Task { await executor.shutdownGracefully(within: .seconds(3600)) }
        #expect(await Support.waitUntil { executor.core.lifecycle == .draining })
        shutdown.cancel()
        // Not an hour: the cancelled wait ends and the read is cancelled.
        #expect(await shutdown.value == false)
        await #expect(throws: RingIOError.self) { try await reader.value }
        #expect(executor.buffers.available == 2)
    }

    @Test func aGracefulShutdownWithNothingInFlightEndsAtOnceAndAgainIsHarmless() async throws {
        let executor = try Support.makeExecutor(count: 2, size: 4096)
        #expect(await executor.shutdownGracefully(within: .seconds(3600)) == true)
        #expect(executor.isShutDown)
        #expect(await executor.shutdownGracefully(within: .seconds(3600)) == true)
    }

    @Test func aGroupDrainsEveryLoopBeforeItShutsDown() async throws {
        let group = try RingExecutorGroup(configuration: Support.groupConfiguration(loops: 2, count: 4, size: 4096))
        let pipes = try [Pipe(), Pipe()]
        var readers: [Task<[UInt8], any Error>] = []
        for (index, loop) in group.loops.enumerated() {
            let file = File(unsafeDescriptor: pipes[index].takeReadEnd(), path: "pipe \(index)", on: loop)
            readers.append(Task(executorPreference: loop) {
                var lease = try await group.buffers.lease()
                let n = try await file.read(into: &lease, at: 0)
                return Array(lease.bytes.prefix(n))
            })
            #expect(await Support.waitUntil { loop.core.table.armedCount == 1 })
        }
        let shutdown = Task { await group.shutdownGracefully(within: .seconds(60)) }
        #expect(await Support.waitUntil { group.loops.allSatisfy { $0.core.lifecycle == .draining } })
        await #expect(throws: RingIOError.self) { try await group.run {} }
        pipes[0].write([1])
        pipes[1].write([2, 2])
        #expect(try await readers[0].value == [1])
        #expect(try await readers[1].value == [2, 2])
        #expect(await shutdown.value == true)
        #expect(group.isShutDown)
        #expect(group.buffers.available == 4)
    }

    @Test(.ioUringOnly("the in-flight pipe read must be cancellable"))
    func inAServiceGroupSIGTERMDrainsTheExecutorAndCancelsWhatOutlivesTheTimeout() throws {
        let demo = try #require(Support.demoBinary(), "the ringio-demo executable is built alongside the tests")
        let directory = Support.makeTempDirectory()
        defer { Support.removeTree(directory) }
        let output = directory + "/output"
        // Start it, wait until it says its service group runs with a read in flight, SIGTERM it
        // (`timeout` passes the signal on; it kills a demo that hangs, so the test fails, not hangs).
        let script = """
            timeout -s KILL 60 \(demo.shellQuoted) --check-service-lifecycle > \(output.shellQuoted) 2>&1 &
            pid=$!
            for i in $(seq 1 400); do grep -q '^ready$' \(output.shellQuoted) && break; sleep 0.05; done
            kill -TERM $pid
            wait $pid
            echo "exit=$?" >> \(output.shellQuoted)
            """
        _ = Support.run("/bin/sh", ["-c", script])
        let text = String(decoding: Support.preadFile(output), as: UTF8.self)
        var facts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), !line.contains(" ") else { continue }
            facts[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        #expect(text.contains("ready"), "\(text)")
        #expect(text.contains("Signal caught"), "ServiceLifecycle caught the SIGTERM: \(text)")
        #expect(facts["exit"] == "0", "\(text)")
        #expect(facts["serviceGroup"] == "finished", "\(text)")
        #expect(facts["inFlightRead"] == "shutDown", "the read outlived the 200 ms grace period and was cancelled: \(text)")
        #expect(text.contains("were cancelled"), "the executor said so (notice): \(text)")
        #expect(facts["shutDown"] == "true", "\(text)")
        #expect(facts["available"] == "4", "every lease back: \(text)")
        #expect(facts["newWork"] == "shutDown", "\(text)")
    }

    /// A read of an empty pipe in flight on `executor` (returned once the kernel has it), holding a lease.
    static func readInFlight(on executor: RingExecutor) async throws -> (Task<Void, any Error>, Pipe) {
        let pipe = try Pipe()
        let file = File(unsafeDescriptor: pipe.takeReadEnd(), path: "pipe", on: executor)
        let reader = Task(executorPreference: executor) {
            var lease = try await executor.buffers.lease()
            _ = try await file.read(into: &lease, at: 0)
        }
        #expect(await Support.waitUntil { executor.core.table.armedCount == 1 })
        return (reader, pipe)
    }
}
