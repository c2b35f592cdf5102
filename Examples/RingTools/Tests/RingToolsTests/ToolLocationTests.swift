import Foundation
import Glibc
import Testing

/// The other tests run the built executables; these check that they are found, and that a
/// process that hangs is killed (with its children) instead of stalling the run.
@Suite("test setup")
struct ToolLocationTests {
    @Test("the built ringcp and ringsum are found")
    func toolsAreFound() {
        #expect(ToolRunner.binDirectory != nil, "\(ToolRunner.binDirectoryProblem)")
    }

    @Test("the runner's timeout kills a hanging process and the processes it started")
    func timeoutKillsProcessTree() throws {
        let started = MonotonicTime.now()
        let output = try ToolRunner.run("/bin/bash", ["-c", "sleep 60 & echo $!; wait"], timeout: 1)
        #expect(output.timedOut)
        #expect(MonotonicTime.now() - started < 30, "the runner waited for the child anyway")
        let child = try #require(Int32(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)), "no pid: \(output.stdoutText)")
        var gone = false
        for _ in 0..<100 where !gone {
            // Gone, or a zombie waiting for whoever inherited it to reap it.
            let state = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)
            gone = state == nil || state!.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") == true
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the grandchild (sleep, pid \(child)) is still running")
    }
}

/// Seconds on CLOCK_MONOTONIC.
enum MonotonicTime {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
