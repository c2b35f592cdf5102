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

    @Test func aDrainRefusesNewWorkAndEndsOnceNothingIsInFlightWithoutShuttingDown() {
        var machine = Machine()
        machine.setupSucceeded()
        guard case .beginDrain = machine.drainRequested(by: [1]) else { Issue.record("expected beginDrain"); return }
        #expect(machine.state == .draining)
        guard case .none = machine.drainRequested(by: [2]) else { Issue.record("expected none"); return }
        guard case .resumeDrained(let drained) = machine.nothingInFlight() else { Issue.record("expected resumeDrained"); return }
        #expect(drained == [1, 2])
        #expect(machine.state == .draining, "still refusing new work until shutdown()")
        guard case .none = machine.nothingInFlight() else { Issue.record("each drain waiter is resumed once"); return }
        guard case .beginShutdown = machine.shutdownRequested(by: [3], terminate: false) else { Issue.record("expected beginShutdown"); return }
        guard case .finishShutdown(let resuming) = machine.nothingInFlight() else { Issue.record("expected finishShutdown"); return }
        #expect(resuming == [3])
    }

    @Test func aShutdownDuringADrainEndsTheDrainWithIt() {
        var machine = Machine()
        machine.setupSucceeded()
        _ = machine.drainRequested(by: [1])
        guard case .beginShutdown = machine.shutdownRequested(by: [2], terminate: false) else { Issue.record("expected beginShutdown"); return }
        // A drain asked for while shutting down waits for the shutdown too.
        guard case .none = machine.drainRequested(by: [3]) else { Issue.record("expected none"); return }
        guard case .finishShutdown(let resuming) = machine.nothingInFlight() else { Issue.record("expected finishShutdown"); return }
        #expect(Set(resuming) == [1, 2, 3])
        guard case .resume(let late) = machine.drainRequested(by: [4]) else { Issue.record("expected resume"); return }
        #expect(late == [4])
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
