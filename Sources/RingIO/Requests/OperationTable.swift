internal import CRingIO
import DequeModule

/// The preallocated table of operations in flight, keyed by `user_data`.
///
/// Each slot holds the continuation of the task awaiting that operation, or the completion sink
/// and entry number of a pipeline's operation (`CompletionSink`). Slots are recycled
/// through a free stack, so steady-state I/O allocates nothing. When every slot is taken,
/// callers queue in FIFO order (back-pressure) and are handed the next slot that frees.
/// Loop-confined: not `Sendable`.
@safe  // Safety: owns its four buffers (capacity each, init to deinit); slot numbers come from its free stack, user_data indices are checked.
final class OperationTable {
    @safe  // Safety: complete() clears the continuation before resuming it (once); the unretained sink cannot die while armed (its deinit traps).
    private struct Slot {
        var generation: UInt32 = 0
        var continuation: LoopContinuation<Int32>?
        /// For a pipeline's operation: where its result goes. Unretained: a pipeline outlives
        /// its operations (it waits for every one before it ends).
        var sink: Unmanaged<CompletionSink>?
        var entry: UInt32 = 0
        /// An operation is in flight in this slot (awaited by a task or by a pipeline).
        var isArmed: Bool { unsafe continuation != nil || sink != nil }  // Safety: only compared with nil.
    }

    private struct Waiter {
        let id: UInt64
        let continuation: LoopContinuation<UInt32?>
    }

    /// How many operations may be in flight at once.
    let capacity: Int
    // Fixed-size storage allocated once: the hot path touches no array (no uniqueness, bounds or
    // exclusivity checks), only these pointers, which this loop-confined object alone uses.
    private let slots: UnsafeMutablePointer<Slot>
    private let free: UnsafeMutablePointer<UInt32>
    private var freeCount: Int
    private var waiters = Deque<Waiter>()
    private var waiterCount = 0
    private var nextWaiterID: UInt64 = 0
    /// Slots whose operation has been submitted and not yet completed.
    private(set) var armedCount = 0
    /// One cancellation hook per slot, preallocated so installing a handler allocates nothing.
    private let hooks: UnsafeMutablePointer<ringio_cancel_hook>
    /// One timespec per slot for IORING_OP_LINK_TIMEOUT (read by the kernel at submission).
    private let timeouts: UnsafeMutablePointer<__kernel_timespec>

    /// Creates a table with `capacity` slots.
    init(capacity: Int) {
        precondition(capacity > 0 && capacity <= Int(UInt32.max))
        self.capacity = capacity
        // Safety: each buffer holds capacity elements, initialized before use (free: by the loop below), and is freed only in deinit.
        unsafe self.slots = .allocate(capacity: capacity)
        unsafe self.slots.initialize(repeating: Slot(), count: capacity)
        unsafe self.free = .allocate(capacity: capacity)
        for index in 0..<capacity {
            // Safety: index < capacity; slot 0 ends on top of the stack.
            unsafe free[index] = UInt32(capacity - 1 - index)
        }
        self.freeCount = capacity
        // Safety: capacity zeroed elements each; only the holder of a slot uses its hook and timespec.
        unsafe self.hooks = .allocate(capacity: capacity)
        unsafe self.hooks.initialize(repeating: ringio_cancel_hook(), count: capacity)
        unsafe self.timeouts = .allocate(capacity: capacity)
        unsafe self.timeouts.initialize(repeating: __kernel_timespec(), count: capacity)
    }

    deinit {
        // Safety: the table is the buffers' only owner; slots holds initialized Slots, the others trivial values (nothing to deinitialize).
        unsafe slots.deinitialize(count: capacity)
        unsafe slots.deallocate()
        unsafe free.deallocate()
        unsafe hooks.deallocate()
        unsafe timeouts.deallocate()
    }

    /// The timespec storage of `slot`, valid while the slot is held.
    @inline(__always)
    func timeoutStorage(for slot: UInt32) -> UnsafeMutablePointer<__kernel_timespec> {
        // Safety: slot < capacity (it came from this table's free stack), so the pointer is in bounds.
        unsafe timeouts + Int(slot)
    }

    /// The cancellation hook storage of `slot`, valid while the slot is held.
    @inline(__always)
    func cancelHook(for slot: UInt32) -> UnsafeMutablePointer<ringio_cancel_hook> {
        // Safety: slot < capacity (it came from this table's free stack), so the pointer is in bounds.
        unsafe hooks + Int(slot)
    }

    /// Takes a free slot, or nil when every slot is in use.
    @inline(__always)
    func acquire() -> UInt32? {
        // Keep FIFO order behind queued callers.
        guard waiterCount == 0, freeCount > 0 else { return nil }
        freeCount -= 1
        // Safety: 0 <= freeCount < capacity after the decrement, and free[0..<freeCount + 1] holds free slot numbers.
        return unsafe free[freeCount]
    }

    /// Queues a caller for the next free slot; it is resumed with the slot, or nil if cancelled.
    ///
    /// - Returns: the waiter's id, for `cancelWaiter`.
    func enqueueWaiter(_ continuation: LoopContinuation<UInt32?>, id: UInt64) {
        waiters.append(Waiter(id: id, continuation: continuation))
        waiterCount += 1
    }

    /// A fresh id for `enqueueWaiter`.
    func makeWaiterID() -> UInt64 {
        nextWaiterID &+= 1
        return nextWaiterID
    }

    /// Resumes a queued caller with nil (it throws); no-op if it already got a slot.
    func cancelWaiter(id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiterCount -= 1
        let waiter = waiters.remove(at: index)
        resuming { waiter.continuation.resume(returning: nil) }
    }

    /// Resumes every queued caller with nil (used at shutdown).
    func failAllWaiters() {
        while let waiter = waiters.popFirst() {
            waiterCount -= 1
            resuming { waiter.continuation.resume(returning: nil) }
        }
    }

    /// The `user_data` for an operation in `slot`.
    @inline(__always)
    func userData(for slot: UInt32) -> UInt64 {
        // Safety: slot < capacity: it came from acquire() or a waiter grant, i.e. this table's free stack.
        unsafe UserData.make(slot: slot, generation: slots[Int(slot)].generation)
    }

    /// Records the continuation to resume when `slot`'s operation completes.
    @inline(__always)
    func arm(_ slot: UInt32, _ continuation: LoopContinuation<Int32>) {
        // Safety: the caller holds slot (< capacity); complete() clears this continuation before resuming it, so it is resumed once.
        unsafe slots[Int(slot)].continuation = continuation
        armedCount += 1
    }

    /// Records that `slot`'s result goes to `sink` under `entry` (a pipeline's operation).
    ///
    /// The slot is released by `complete` itself: no task holds it, and no cancellation hook lives in it.
    @inline(__always)
    func arm(_ slot: UInt32, sink: CompletionSink, entry: UInt32) {
        // Safety: the caller holds slot (< capacity); the unretained sink cannot be freed while the entry is in flight (its deinit traps).
        unsafe slots[Int(slot)].sink = unsafe Unmanaged.passUnretained(sink)
        unsafe slots[Int(slot)].entry = entry
        armedCount += 1
    }

    /// True when `userData` names an operation that has not completed yet.
    func isArmed(_ userData: UInt64) -> Bool {
        let index = UserData.slot(of: userData)
        guard index < capacity else { return false }
        // Safety: index < capacity.
        let slot = unsafe slots[index]
        return slot.isArmed && slot.generation == UserData.generation(of: userData)
    }

    /// The `user_data` of every operation still in flight.
    func armedUserData() -> [UInt64] {
        var result: [UInt64] = []
        // Safety: index < capacity, the buffer's size.
        for index in 0..<capacity where unsafe slots[index].isArmed {
            unsafe result.append(UserData.make(slot: UInt32(index), generation: slots[index].generation))
        }
        return result
    }

    /// Delivers `result` to the operation named by `userData`.
    ///
    /// The slot is retired (its generation moves on, so late cancels miss) but not yet reusable:
    /// the resumed task releases it once its cancellation hook, which lives in the slot, is removed.
    /// A pipeline's slot is released at once, and the result queued on its sink.
    ///
    /// - Returns: false if no such operation is in flight (a stale or foreign completion).
    @inline(__always)
    @discardableResult
    func complete(_ userData: UInt64, result: Int32) -> Bool {
        let index = UserData.slot(of: userData)
        // Safety: index < capacity is checked first (&& short-circuits), so every slots[index] below is in bounds.
        guard index < capacity, unsafe slots[index].generation == UserData.generation(of: userData) else { return false }
        let next = unsafe slots[index].generation &+ 1
        if let continuation = unsafe slots[index].continuation {
            // Safety: cleared before the resume (and the generation moved on), so a second CQE for this slot cannot resume it again.
            unsafe slots[index].continuation = nil
            unsafe slots[index].generation = next >= UserData.generationLimit ? 0 : next
            armedCount -= 1
            resuming { continuation.resume(returning: result) }
            return true
        }
        // Safety: index < capacity (checked above); the slot is cleared before delivery, and the sink cannot be freed while in flight.
        guard let sink = unsafe slots[index].sink else { return false }
        unsafe slots[index].sink = nil
        unsafe slots[index].generation = next >= UserData.generationLimit ? 0 : next
        armedCount -= 1
        let entry = unsafe slots[index].entry
        release(UInt32(truncatingIfNeeded: index))
        // Safety: the pipeline that owns the sink waits for all of its operations before it ends.
        resuming { unsafe sink._withUnsafeGuaranteedRef { $0.deliver(entry: entry, result: result) } }
        return true
    }

    /// Whether the table is resuming a task in the middle of one of its operations (a completion,
    /// a granted slot, a refused wait): a job enqueued now is such a task and must stay on this
    /// loop, whose loop-confined state it is still using. Jobs enqueued at other times may run
    /// on another loop of a group (`RingExecutorGroup`'s placement).
    private(set) var isResuming = false

    /// Runs `resume` with `isResuming` set.
    @inline(__always)
    private func resuming(_ resume: () -> Void) {
        let outer = isResuming
        isResuming = true
        resume()
        isResuming = outer
    }

    /// Makes a slot reusable: hands it to the longest waiter, or puts it back on the free stack.
    ///
    /// Called by the slot's holder once nothing (no cancellation hook) refers to it any more.
    @inline(__always)
    func release(_ slot: UInt32) {
        if waiterCount > 0, let waiter = waiters.popFirst() {
            waiterCount -= 1
            resuming { waiter.continuation.resume(returning: slot) }
        } else {
            // Safety: at most `capacity` slots exist, so the stack cannot overflow.
            unsafe free[freeCount] = slot
            freeCount += 1
        }
    }
}

@available(*, unavailable)
extension OperationTable: Sendable {}
