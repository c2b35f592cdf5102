/// What the executor found at start-up and is using: backend, setup flags, fixed buffers, and why.
public struct Capabilities: Sendable, Hashable, CustomStringConvertible {
    /// How requests reach the kernel.
    public enum Backend: Sendable, Hashable {
        /// io_uring: one ring, batched submission.
        case ioUring
        /// Blocking syscalls on a small thread pool (io_uring unavailable or not allowed).
        case threadPool
    }

    /// How a loop of a `RingExecutorGroup` reaches the group's one pool.
    public enum BufferSharing: Sendable, Hashable {
        /// Not in a group: the executor's pool is its own.
        case notShared
        /// The pages the group registered once, cloned into this ring
        /// (IORING_REGISTER_CLONE_BUFFERS, Linux 6.12): pinned and charged to RLIMIT_MEMLOCK once.
        case cloned
        /// The kernel refused cloning, so this loop registered the pool itself (pinned and
        /// charged once more).
        case registeredPerLoop
        /// Not registered with this loop's ring (thread pool, or RLIMIT_MEMLOCK too small):
        /// plain READ/WRITE on the leases.
        case unregistered
    }

    /// The backend in use.
    public var backend: Backend
    /// The ring's setup flags (empty for the thread pool).
    public var setupFlags: SetupFlags
    /// Whether the pool's buffers are registered with the kernel (READ_FIXED/WRITE_FIXED).
    public var fixedBuffers: Bool
    /// Whether files opened through the executor go into a registered-file table.
    public var registeredFiles: Bool
    /// The buffer pool actually set up (may be smaller than configured, to fit RLIMIT_MEMLOCK).
    public var bufferCount: Int
    /// Bytes per buffer.
    public var bufferSize: Int
    /// For a loop of a group, how it shares the group's pool.
    public var bufferSharing: BufferSharing
    /// Why something is not as configured, one sentence each (empty when all is as asked).
    public var notes: [String]

    public var description: String {
        var text: String
        switch backend {
        case .ioUring: text = "backend io_uring \(setupFlags)"
        case .threadPool: text = "backend thread pool (blocking syscalls)"
        }
        text += ", fixed buffers \(fixedBuffers ? "on" : "off"), registered files \(registeredFiles ? "on" : "off")"
        text += ", \(bufferCount) buffers of \(bufferSize) bytes"
        switch bufferSharing {
        case .notShared: break
        case .cloned: text += ", the group's pool (cloned: pinned once)"
        case .registeredPerLoop: text += ", the group's pool (registered by this loop too)"
        case .unregistered: text += ", the group's pool (not registered here)"
        }
        for note in notes { text += "\n  - " + note }
        return text
    }
}
