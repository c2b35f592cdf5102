/// Where an executor is in its life; stored in an atomic byte.
enum Lifecycle: UInt8 {
    /// The thread is setting up the ring and pool.
    case starting
    /// Accepting I/O.
    case running
    /// `shutdown()` began: new I/O is refused, in-flight I/O is being cancelled and drained.
    case shuttingDown
    /// The ring is closed; the thread only runs jobs until the executor is released.
    case shutDown
    /// Setup failed; the thread has ended.
    case failed
}
