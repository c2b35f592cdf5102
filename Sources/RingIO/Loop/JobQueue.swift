/// The loop's FIFO of ready jobs: a ring buffer that grows by doubling and never shrinks, so
/// steady-state scheduling allocates nothing. Loop-confined.
@safe  // Safety: owns `storage` (allocated and grown here, freed in deinit); indices stay within `capacity`.
struct JobQueue: ~Copyable {
    private var storage: UnsafeMutablePointer<QueuedJob>
    private var capacity: Int
    private var head = 0
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        // Safety: storage is owned by the queue and freed in deinit; cells are initialized only as jobs are appended.
        unsafe self.storage = .allocate(capacity: capacity)
    }

    deinit {
        // QueuedJob is trivial (an unowned job and a flag): nothing to deinitialize.
        // Safety: storage came from init or grow and is freed once, here.
        unsafe storage.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    mutating func append(_ job: QueuedJob) {
        if count == capacity { grow() }
        // Safety: (head + count) % capacity < capacity, and that cell is free.
        unsafe (storage + (head + count) % capacity).initialize(to: job)
        count += 1
    }

    @inline(__always)
    mutating func popFirst() -> QueuedJob? {
        guard count > 0 else { return nil }
        // Safety: head < capacity and holds the oldest job.
        let job = unsafe (storage + head).move()
        head = head + 1 == capacity ? 0 : head + 1
        count -= 1
        return job
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<QueuedJob>.allocate(capacity: capacity * 2)
        for index in 0..<count {
            // Safety: moves the `count` live jobs, oldest first, into the new buffer's start.
            unsafe (bigger + index).initialize(to: (storage + (head + index) % capacity).move())
        }
        // Safety: every live job was moved out above, so the old buffer holds none; storage then owns the new one.
        unsafe storage.deallocate()
        unsafe storage = unsafe bigger
        capacity *= 2
        head = 0
    }
}
