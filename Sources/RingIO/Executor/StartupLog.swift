import Logging

/// What an executor or a group says through its configuration's `Logger`: once at start-up (a
/// summary at info, each fallback at warning with its reason) and at shutdown (debug). Nothing is
/// logged per I/O.
enum StartupLog {
    /// The note `LoopSetup` records when the thread pool was asked for: a choice, not a fallback.
    static let threadPoolRequested = "The thread-pool backend was requested (policy .threadPoolOnly)"

    /// Logs a lone executor's start-up: what it uses, then each note.
    static func executorStarted(_ capabilities: Capabilities, _ configuration: RingExecutorConfiguration) {
        let logger = configuration.logger
        logger.info(
            "RingIO executor started: \(summary(capabilities))",
            metadata: metadata(capabilities, configuration))
        for note in capabilities.notes { log(note, configuration, metadata: [:]) }
    }

    /// Logs a group's start-up once: what its loops use, then each distinct note once, naming the
    /// loops it is true of.
    static func groupStarted(_ capabilities: [Capabilities], _ configuration: RingExecutorGroup.Configuration) {
        let logger = configuration.executor.logger
        guard let first = capabilities.first else { return }
        var metadata = metadata(first, configuration.executor)
        metadata["ringio.loops"] = "\(capabilities.count)"
        metadata["ringio.buffer_sharing"] = .string(capabilities.map { "\($0.bufferSharing)" }.joined(separator: ", "))
        logger.info("RingIO group started: \(capabilities.count) loops, \(summary(first))", metadata: metadata)
        var order: [String] = []
        var loopsOf: [String: [Int]] = [:]
        for (index, loop) in capabilities.enumerated() {
            for note in loop.notes {
                if loopsOf[note] == nil { order.append(note) }
                loopsOf[note, default: []].append(index)
            }
        }
        for note in order {
            let loops = loopsOf[note]!.map(String.init).joined(separator: ", ")
            log(note, configuration.executor, metadata: ["ringio.loop": .string(loops)])
        }
    }

    /// Logs that an executor or group has shut down.
    static func shutDown(_ what: String, _ logger: Logger) {
        logger.debug("RingIO \(what) shut down")
    }

    /// A note at warning when it is a fallback (the usual case), at info when it is what was asked.
    private static func log(_ note: String, _ configuration: RingExecutorConfiguration, metadata: Logger.Metadata) {
        if note == threadPoolRequested {
            configuration.logger.info("RingIO: \(note)", metadata: metadata)
        } else {
            configuration.logger.warning("RingIO fallback: \(note)", metadata: metadata)
        }
    }

    /// The first line of the capabilities' description (the notes follow on their own lines).
    private static func summary(_ capabilities: Capabilities) -> String {
        String(capabilities.description.split(separator: "\n", maxSplits: 1).first ?? "")
    }

    private static func metadata(_ capabilities: Capabilities, _ configuration: RingExecutorConfiguration) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "ringio.backend": capabilities.backend == .ioUring ? "io_uring" : "thread pool",
            "ringio.fixed_buffers": "\(capabilities.fixedBuffers)",
            "ringio.registered_files": "\(capabilities.registeredFiles)",
            "ringio.buffers": "\(capabilities.bufferCount) × \(capabilities.bufferSize) bytes",
            "ringio.entries": "\(configuration.entries)",
        ]
        if capabilities.backend == .ioUring {
            metadata["ringio.setup_flags"] = "\(capabilities.setupFlags)"
            if capabilities.setupFlags != configuration.setupFlags {
                metadata["ringio.setup_flags_asked"] = "\(configuration.setupFlags)"
            }
        }
        return metadata
    }
}
