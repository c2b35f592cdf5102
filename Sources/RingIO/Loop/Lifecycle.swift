/// Where an executor is in its life; published in an atomic byte for other threads.
enum Lifecycle: UInt8 {
    /// The thread is setting up the backend and pool.
    case starting
    /// Accepting I/O.
    case running
    /// `shutdown()` began: new I/O is refused, in-flight I/O is being cancelled and drained.
    case shuttingDown
    /// The backend is closed; the thread only runs jobs until the executor is released.
    case shutDown
}

/// The executor's lifecycle as a state machine: each event returns what the loop must do, and
/// the loop does it (cancelling, closing the backend, resuming callers) outside this value.
///
/// Loop-confined; generic over the waiter so it can be tested without a loop. (A failed setup
/// never makes a loop, so it has no state here.)
struct LifecycleStateMachine<Waiter> {
    /// What the loop must do after an event.
    enum Action {
        case none
        /// Refuse new work, fail the slot waiters, close the pool, cancel everything in flight.
        case beginShutdown
        /// Close the backend, publish `.shutDown`, then resume these callers of `shutdown()`.
        case finishShutdown(resuming: [Waiter])
        /// Resume these callers of `shutdown()` (it had already finished).
        case resume([Waiter])
    }

    private(set) var state = Lifecycle.starting
    private var waiters: [Waiter] = []
    /// The executor was released: once shut down and out of jobs, the thread ends.
    private(set) var terminating = false

    /// Setup succeeded: accept work.
    mutating func setupSucceeded() {
        precondition(state == .starting)
        state = .running
    }

    /// `shutdown()` was called (`waiters`) and/or the executor was released (`terminate`).
    mutating func shutdownRequested(by newWaiters: [Waiter], terminate: Bool) -> Action {
        if terminate { terminating = true }
        guard !newWaiters.isEmpty || terminate else { return .none }
        switch state {
        case .running:
            waiters.append(contentsOf: newWaiters)
            state = .shuttingDown
            return .beginShutdown
        case .starting, .shuttingDown:
            waiters.append(contentsOf: newWaiters)
            return .none
        case .shutDown:
            return newWaiters.isEmpty ? .none : .resume(newWaiters)
        }
    }

    /// Nothing is in flight any more. While shutting down, that ends it.
    mutating func nothingInFlight() -> Action {
        guard state == .shuttingDown else { return .none }
        state = .shutDown
        let resuming = waiters
        waiters.removeAll()
        return .finishShutdown(resuming: resuming)
    }

    /// Whether the thread may end once it has no job left to run.
    var threadMayEnd: Bool {
        terminating && state == .shutDown
    }
}
