import FileServerCore
public import Logging
internal import RingIO

/// The RingIO side of the server, started: the backend and its executor.
///
/// This module is the only one that imports RingIO, and its public API names no RingIO type, so
/// the HTTP module (which imports Hummingbird and, through it, swift-system) never loads RingIO's
/// C module — the two clash when loaded together (see the README).
public struct RingService: Sendable {
    /// The backend serving files through the ring.
    public let backend: any FileBackend
    /// The RingExecutor or the group, as a task executor (for `withTaskExecutorPreference` around the whole app).
    public let taskExecutor: any TaskExecutor
    /// What the executor chose at start-up (io_uring or thread pool, fixed buffers or not), for the log.
    public let setup: String
    /// The executor or the group, for `fileProvider(rootPath:)`.
    let place: RingFileProvider.Place
    /// Bytes per read (the pool's buffer size).
    let chunkSize: Int

    /// Creates the executor, or with `settings.loops` a group of loops (`buffers: bufferCount ×
    /// chunkSize`, one pool), and opens the root through it.
    ///
    /// - Parameters:
    ///   - rootPath: the root's canonical path.
    ///   - settings: chunk size, pool size, read-ahead and affinity.
    ///   - stats: counters to update.
    ///   - logger: where RingIO logs its start-up summary, each fallback (warning) and shutdown.
    /// - Throws: `RingIOError` (its description says what to change: memlock limit, io_uring
    ///   disabled…), or the error of opening the root.
    public static func start(rootPath: String, settings: StreamSettings, stats: ServerStats, logger: Logger) async throws -> RingService {
        var configuration = RingExecutorConfiguration(buffers: .init(count: settings.bufferCount, size: settings.chunkSize))
        configuration.logger = logger
        if let loops = settings.loops {
            // One loop per CPU (or as asked), one pool cloned into every ring; each request's
            // task runs on one loop and does its I/O there.
            let group = try RingExecutorGroup(configuration: .init(loops: loops == 0 ? nil : loops, executor: configuration))
            do {
                // Before Hummingbird starts any task: from here on every task runs on a loop.
                if settings.affinity == .global { try group.unsafeInstallAsGlobalConcurrentExecutor() }
                let backend = try await RingFileBackend(rootPath: rootPath, settings: settings, stats: stats, group: group)
                let setup = group.capabilities.enumerated().map { "loop \($0.offset): \($0.element)" }.joined(separator: "\n")
                return RingService(backend: backend, taskExecutor: group, setup: setup, place: .group(group), chunkSize: settings.chunkSize)
            } catch {
                await group.shutdown()
                throw error
            }
        }
        let executor = try RingExecutor(configuration: configuration)
        do {
            let backend = try await RingFileBackend(rootPath: rootPath, settings: settings, stats: stats, executor: executor)
            return RingService(
                backend: backend, taskExecutor: executor, setup: "\(executor.capabilities)", place: .executor(executor),
                chunkSize: settings.chunkSize)
        } catch {
            await executor.shutdown()
            throw error
        }
    }
}
