import CRingIO
import Glibc
@testable import RingIO
import Testing

/// Helpers shared by the tests, one concern per file in this folder: the backend under test and
/// its executors (Backends), traits (Traits), temp files written and read with plain syscalls
/// (Files), deterministic bytes (Bytes), pipes (Pipes), child processes (Processes), descriptors
/// (Descriptors), leases (Leases).
enum Support {}
