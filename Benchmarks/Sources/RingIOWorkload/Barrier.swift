import Synchronization

/// A reusable rendezvous for a fixed number of tasks that does not allocate once constructed.
///
/// The waiter list is reserved up front, and `withUnsafeContinuation` keeps its context in the
/// task's own allocator, so arriving at the barrier adds nothing to `mallocCountTotal`. That lets the
/// benchmark start and stop its measurement at a barrier without counting the barrier itself.
public final class Barrier: Sendable {
    private struct State {
        var waiting: [UnsafeContinuation<Void, Never>]
    }

    private let parties: Int
    private let state: Mutex<State>

    public init(parties: Int) {
        precondition(parties >= 1, "a barrier needs at least one party")
        self.parties = parties
        var waiting: [UnsafeContinuation<Void, Never>] = []
        waiting.reserveCapacity(parties)
        self.state = Mutex(State(waiting: waiting))
    }

    /// Suspends until `parties` tasks have arrived. The last one to arrive runs `lastArrival`
    /// (before anyone is resumed), then resumes everyone.
    public func arriveAndWait(_ lastArrival: () -> Void = {}) async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            state.withLock { state in
                state.waiting.append(continuation)
                guard state.waiting.count == parties else { return }
                lastArrival()
                for waiter in state.waiting {
                    waiter.resume()
                }
                state.waiting.removeAll(keepingCapacity: true)
            }
        }
    }
}
