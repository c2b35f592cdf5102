import Synchronization

/// A lease on its way to another task: `Sendable`, taken out exactly once.
///
/// A `BufferLease` is `~Copyable` and not `Sendable` (it belongs to the task holding it), and
/// Swift 6.3 cannot capture a noncopyable value in a task's closure. Move it into a transfer,
/// hand the transfer to the child task (or any task), and take it out there:
///
/// ```swift
/// let transfer = LeaseTransfer(try await pool.lease())
/// try await withThrowingTaskGroup(of: Int.self) { group in
///     group.addTask {
///         var lease = transfer.take()!
///         return try await file.read(into: &lease, at: 0)
///     }
///     ...
/// }
/// ```
///
/// A transfer dropped without `take()` gives its buffer back to the pool, like the lease would.
public final class LeaseTransfer: Sendable {
    private let slot: Mutex<BufferLease?>

    /// Moves `lease` into the transfer.
    public init(_ lease: consuming sending BufferLease) {
        self.slot = Mutex(Optional(lease))
    }

    /// The lease, the first time; nil after that (another task took it).
    public func take() -> BufferLease? {
        // Moved out of the lock's state, which keeps no reference to it: the caller is its only holder.
        slot.withLock { held in held.take() }
    }

    /// Whether the lease is still in the transfer.
    public var holdsLease: Bool {
        slot.withLock { held in
            switch held {
            case .some: true
            case .none: false
            }
        }
    }
}
