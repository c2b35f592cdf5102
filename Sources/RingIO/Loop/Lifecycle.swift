/// Where an executor is in its life; published in an atomic byte for other threads.
enum Lifecycle: UInt8 {
    /// The thread is setting up the backend and pool.
    case starting
    /// Accepting I/O.
    case running
    /// A graceful shutdown began: new I/O is refused, what is in flight may finish.
    case draining
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
        /// Publish `.draining`: new I/O is refused from now on; nothing is cancelled.
        case beginDrain
        /// Nothing is in flight any more while draining (or the shutdown began): resume these
        /// callers of `drain()`.
        case resumeDrained([Waiter])
    }

    private(set) var state = Lifecycle.starting
    private var waiters: [Waiter] = []
    private var drainWaiters: [Waiter] = []
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
        case .running, .draining:
            // Callers still waiting for the drain see it end with the shutdown (which ends it).
            waiters.append(contentsOf: drainWaiters)
            drainWaiters.removeAll()
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

    /// A graceful shutdown was asked for (`newWaiters` wait until nothing is in flight).
    mutating func drainRequested(by newWaiters: [Waiter]) -> Action {
        guard !newWaiters.isEmpty else { return .none }
        switch state {
        case .running:
            drainWaiters.append(contentsOf: newWaiters)
            state = .draining
            return .beginDrain
        case .starting, .draining:
            drainWaiters.append(contentsOf: newWaiters)
            return .none
        case .shuttingDown:
            // The shutdown ends the drain: they wait for it.
            waiters.append(contentsOf: newWaiters)
            return .none
        case .shutDown:
            return .resume(newWaiters)
        }
    }

    /// Nothing is in flight any more. While shutting down, that ends it; while draining, it
    /// ends the drain (the executor keeps refusing new I/O until `shutdown()`).
    mutating func nothingInFlight() -> Action {
        if state == .draining {
            guard !drainWaiters.isEmpty else { return .none }
            defer { drainWaiters.removeAll() }
            return .resumeDrained(drainWaiters)
        }
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
