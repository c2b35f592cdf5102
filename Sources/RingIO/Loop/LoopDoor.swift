internal import CRingIO

/// The file layer's one door to the loop: submit a request and await its completion, the
/// pipeline variant, registered-file slots, and the few facts a caller checks first. `File` and
/// its pipelines use this and nothing else of the loop (`RingExecutor.door`).
struct LoopDoor {
    /// A `let` of a struct that lives in a `let` (`RingExecutor.door`, `PipelineState.door`), so
    /// calls through the door borrow the core without retaining it.
    private let core: LoopCore

    init(_ core: LoopCore) {
        self.core = core
    }

    /// True on the loop thread.
    @inline(__always)
    var isLoopThread: Bool { core.isLoopThread }

    /// Whether the executor has not begun shutting down (it may be draining: refusing new work
    /// while what is in flight finishes), for mapping a completion's error.
    @inline(__always)
    var isRunning: Bool { core.lifecycle == .running || core.lifecycle == .draining }

    /// The monotonic clock when metrics are on, for an operation's latency; 0 (no clock read) when off.
    @inline(__always)
    func metricsClock() -> UInt64 {
        core.statistics == nil ? 0 : ringio_monotonic_nanoseconds()
    }

    /// Counts a pipeline's completed READ_FIXED / WRITE_FIXED and its latency (submission to the
    /// completion handed out by `next()`) for metrics, when they are on (loop thread).
    @inline(__always)
    func recordPipelineCompletion(isWrite: Bool, result: Int32, started: UInt64) {
        if let statistics = core.statistics {
            statistics.record(kind: isWrite ? 2 : 1, result: result)
            if started != 0 { statistics.recordLatency(nanoseconds: ringio_monotonic_nanoseconds() &- started) }
        }
    }

    /// How many operations may be in flight at once (`maxInFlight`).
    var inFlightLimit: Int { core.table.capacity }

    /// Submits `request` and suspends until its completion arrives; see `LoopCore.perform`.
    @inline(__always)
    func perform(
        _ request: IORequest,
        _ operation: Operation,
        path: String? = nil,
        fd: Int32? = nil,
        cancellable: Bool = true,
        cancelInFlight: Bool = true,
        timeout: Duration? = nil,
        revalidate: () throws -> Void = {}
    ) async throws -> Int32 {
        try await core.perform(
            request, operation, path: path, fd: fd, cancellable: cancellable, cancelInFlight: cancelInFlight,
            timeout: timeout, revalidate: revalidate)
    }

    /// Registers `fd` in the registered-file table (loop thread); nil when full, off, or shut down.
    func registerFile(_ fd: Int32) -> Int32? { core.registerFile(fd) }

    /// Empties a registered-file slot (any thread).
    func releaseFileSlot(_ slot: Int32) { core.releaseFileSlot(slot) }

    // MARK: Pipelines

    /// A free in-flight slot for a pipeline's operation, or nil; see `LoopCore.tryAcquireSlot`.
    @inline(__always)
    func tryAcquireSlot(_ operation: Operation, path: String?, fd: Int32?) throws -> UInt32? {
        try core.tryAcquireSlot(operation, path: path, fd: fd)
    }

    /// Waits for an in-flight slot; see `LoopCore.waitForSlot(_:path:fd:revalidate:)`.
    func waitForSlot(_ operation: Operation, path: String?, fd: Int32?, revalidate: () throws -> Void) async throws -> UInt32 {
        try await core.waitForSlot(operation, path: path, fd: fd, revalidate: revalidate)
    }

    /// Issues a pipeline's request whose result goes to `sink`; see `LoopCore.submit(_:slot:to:entry:)`.
    @inline(__always)
    func submit(_ request: IORequest, slot: UInt32, to sink: CompletionSink, entry: UInt32) {
        core.submit(request, slot: slot, to: sink, entry: entry)
    }

    /// Asks the backend to cancel every operation in flight on `sink`, once.
    func cancelInFlight(of sink: CompletionSink) { core.cancelInFlight(of: sink) }

    /// The cancellation hook a pipeline installs while it waits: cancels what `sink` has in flight.
    func cancelHook(for sink: CompletionSink) -> ringio_cancel_hook {
        // Safety: the hook lives in PipelineState, which holds this door (so the core) and the sink strongly for as long as it can run.
        unsafe ringio_cancel_hook(
            fn: ringioCancelSink,
            core: Unmanaged.passUnretained(core).toOpaque(),
            user_data: UInt64(UInt(bitPattern: Unmanaged.passUnretained(sink).toOpaque())))
    }
}
