internal import CRingIO

/// Swift's global concurrent executor, routed to a `RingExecutorGroup`.
///
/// Private entry points (default build): the runtime's `swift_task_enqueueGlobal_hook`, set with a
/// compare-and-swap in the C shim (`ringio_install_global_executor`), the way SwiftNIO installs
/// its event loops as the global executor; and the runtime's generic executor reference, on which
/// jobs of the global executor run. Reason: Swift 6.3 on Linux has no public way to replace the
/// global executor (SE-0464's executor factory is not available there). The public alternative is
/// `withTaskExecutorPreference(group)` around the code that does I/O; the `PublicConcurrencyOnly`
/// build offers only that and refuses to install (`RingIOError` `.unsupported`).
enum GlobalEnqueueHook {
    /// How installing went.
    enum Outcome {
        case installed
        case anotherHookInstalled
        case anotherGroupInstalled
        case unavailableInThisBuild
    }

    /// Makes the global executor's jobs go to `group` (retained for the rest of the process, since a
    /// job may be on its way to it at any time).
    static func install(_ group: RingExecutorGroup) -> Outcome {
        #if PublicConcurrencyOnly
        _ = group
        return .unavailableInThisBuild
        #else
        // Safety: one retain, never released: the hook may read the context at any later time, even after uninstall.
        let context = unsafe Unmanaged.passRetained(group).toOpaque()
        for loop in group.loops { loop.core.takesGlobalJobs.store(true, ordering: .releasing) }
        // Safety: the callback captures nothing (a C function pointer); the context is the retained group.
        let result = unsafe ringio_install_global_executor(context) { context, job in
            // Safety: the runtime hands over each job once; the context is NULL or a group retained for good.
            unsafe GlobalEnqueueHook.offer(job!, to: context)
        }
        switch result {
        case 0:
            return .installed
        default:
            if !isInstalled(group) {
                for loop in group.loops { loop.core.takesGlobalJobs.store(false, ordering: .relaxed) }
            }
            // Safety: the C side did not keep the context, so the retain taken above is dropped.
            unsafe Unmanaged<RingExecutorGroup>.fromOpaque(context).release()
            return result == 1 ? .anotherHookInstalled : .anotherGroupInstalled
        }
        #endif
    }

    /// Takes a job of the global executor, or returns false to leave it to Swift's own pool.
    ///
    /// A job enqueued on a loop thread of a group that is, or was, installed stays with that
    /// group: it may be a task resumed in the middle of an operation on that loop's ring
    /// (loop-confined state), so it must not run anywhere else, even after the group's shutdown
    /// gave the global executor back. The installed group places it (`place`: new work may go
    /// to a less busy loop, a resumed operation stays). Jobs from other threads go to the
    /// installed group, round-robin.
    @inline(__always)
    static func offer(_ job: UnsafeMutableRawPointer, to context: UnsafeMutableRawPointer?) -> Bool {
        // Safety: UnownedJob is one word, the runtime's job pointer (@frozen); this is the job the runtime handed over.
        let job = unsafe unsafeBitCast(job, to: UnownedJob.self)
        // Safety: the thread-local is set by a loop thread to its own core, which that thread keeps alive while it runs jobs.
        if let core = unsafe ringio_current_loop_core() {
            // Safety: as above (unretained use while this loop thread runs).
            let taken = unsafe Unmanaged<LoopCore>.fromOpaque(core)._withUnsafeGuaranteedRef { core in
                guard core.takesGlobalJobs.load(ordering: .relaxed) else { return false }
                let queued = QueuedJob(job: job, role: .global)
                let identity = ringio_current_loop()
                // Safety: the context is a group retained for the rest of the process (install).
                if let context = unsafe context, unsafe Unmanaged<RingExecutorGroup>.fromOpaque(context)._withUnsafeGuaranteedRef({ group in
                    guard group.id == identity.group else { return false }
                    group.place(queued, from: core, index: Int(identity.index))
                    return true
                }) {
                    return true
                }
                core.enqueue(queued)  // a group shut down since: its loop keeps its own jobs
                return true
            }
            if taken { return true }
        }
        guard let context = unsafe context else { return false }
        // Safety: the context is a group retained for the rest of the process (install).
        unsafe Unmanaged<RingExecutorGroup>.fromOpaque(context)._withUnsafeGuaranteedRef { group in
            group.next().core.enqueue(QueuedJob(job: job, role: .global))
        }
        return true
    }

    /// Gives the global executor's jobs back to the runtime's own pool, if `group` is installed.
    static func uninstall(_ group: RingExecutorGroup) {
        #if !PublicConcurrencyOnly
        // Safety: only the address is compared; the retain taken at install stays (the hook may still be passing a job to it).
        _ = unsafe ringio_uninstall_global_executor(Unmanaged.passUnretained(group).toOpaque())
        #endif
    }

    /// Whether this build can install a global executor (not the `PublicConcurrencyOnly` build).
    static var isAvailableInThisBuild: Bool {
        #if PublicConcurrencyOnly
        return false
        #else
        return true
        #endif
    }

    /// Whether `group` is installed.
    static func isInstalled(_ group: RingExecutorGroup) -> Bool {
        #if PublicConcurrencyOnly
        return false
        #else
        // Safety: only the addresses are compared.
        return unsafe ringio_installed_global_executor() == Unmanaged.passUnretained(group).toOpaque()
        #endif
    }
}
