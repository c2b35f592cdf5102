@testable import RingIO
import Testing

/// The executor's lifecycle without a loop or a kernel: each event's action, and the order in
/// which callers of `shutdown()` are resumed.
@Suite("Lifecycle state machine")
struct LifecycleStateMachineTests {
    typealias Machine = LifecycleStateMachine<Int>

    @Test func shutdownWhileRunningBeginsItAndFinishesOnceNothingIsInFlight() {
        var machine = Machine()
        machine.setupSucceeded()
        #expect(machine.state == .running)
        guard case .beginShutdown = machine.shutdownRequested(by: [1], terminate: false) else {
            Issue.record("expected beginShutdown"); return
        }
        #expect(machine.state == .shuttingDown)
        // A second caller while shutting down only waits.
        guard case .none = machine.shutdownRequested(by: [2], terminate: false) else {
            Issue.record("expected none"); return
        }
        guard case .finishShutdown(let resuming) = machine.nothingInFlight() else {
            Issue.record("expected finishShutdown"); return
        }
        #expect(resuming == [1, 2])
        #expect(machine.state == .shutDown)
        #expect(!machine.threadMayEnd, "the executor object still exists")
    }

    @Test func nothingInFlightWhileRunningDoesNothing() {
        var machine = Machine()
        machine.setupSucceeded()
        guard case .none = machine.nothingInFlight() else { Issue.record("expected none"); return }
        #expect(machine.state == .running)
    }

    @Test func shutdownAfterShutdownResumesTheCallerAtOnce() {
        var machine = Machine()
        machine.setupSucceeded()
        _ = machine.shutdownRequested(by: [1], terminate: false)
        _ = machine.nothingInFlight()
        guard case .resume(let waiters) = machine.shutdownRequested(by: [7], terminate: false) else {
            Issue.record("expected resume"); return
        }
        #expect(waiters == [7])
    }

    @Test func releasingARunningExecutorShutsItDownAndThenLetsTheThreadEnd() {
        var machine = Machine()
        machine.setupSucceeded()
        guard case .beginShutdown = machine.shutdownRequested(by: [], terminate: true) else {
            Issue.record("expected beginShutdown"); return
        }
        #expect(!machine.threadMayEnd, "not before in-flight work is drained")
        guard case .finishShutdown(let resuming) = machine.nothingInFlight() else {
            Issue.record("expected finishShutdown"); return
        }
        #expect(resuming.isEmpty)
        #expect(machine.threadMayEnd)
    }

    @Test func releasingAShutDownExecutorLetsTheThreadEnd() {
        var machine = Machine()
        machine.setupSucceeded()
        _ = machine.shutdownRequested(by: [1], terminate: false)
        _ = machine.nothingInFlight()
        guard case .none = machine.shutdownRequested(by: [], terminate: true) else {
            Issue.record("expected none"); return
        }
        #expect(machine.threadMayEnd)
    }

    @Test func anEmptyRequestChangesNothing() {
        var machine = Machine()
        machine.setupSucceeded()
        guard case .none = machine.shutdownRequested(by: [], terminate: false) else {
            Issue.record("expected none"); return
        }
        #expect(machine.state == .running)
    }
}
