/// The runtime's generic executor reference (no isolation, no task executor): what Swift's own
/// pool runs global jobs on, so a task without a preference sees no task executor on a loop
/// either and hops for nothing.
///
/// Private layout (default build only; the `PublicConcurrencyOnly` build never runs global jobs
/// on a loop): an executor reference is two words, identity and implementation, both zero for
/// the generic executor (the runtime's `SerialExecutorRef::generic()`). No public API names it.
@inline(__always)
var genericExecutorReference: UnownedSerialExecutor {
    // Safety: UnownedSerialExecutor is those two words (BitwiseCopyable); zero is the generic executor.
    unsafe unsafeBitCast((UInt(0), UInt(0)), to: UnownedSerialExecutor.self)
}
