#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Command line of the comparison workers (`compare-ringio`, `compare-nio`, `compare-posix`):
///
///     compare-X --system NAME --workload randread|directread|seqread|randwrite --file PATH
///               [--qd N] [--seconds S] [--warmup S]
///
/// Each worker prints one JSON object on stdout (see `Report`); errors go to stderr with exit 1,
/// bad arguments exit 2.
public struct WorkerOptions: Sendable {
    public var system: String
    public var workload: Workload
    public var path: String
    public var queueDepth: Int
    public var seconds: Double
    public var warmup: Double

    /// Parses `arguments` (including the program name); exits with a usage message on error.
    /// - Parameter systems: the values `--system` accepts; the first is the default.
    public static func parse(_ arguments: [String], systems: [String]) -> WorkerOptions {
        var options = WorkerOptions(system: systems[0], workload: .randread, path: "", queueDepth: 1, seconds: 3, warmup: 0.5)
        var iterator = arguments.dropFirst().makeIterator()
        func value(_ name: String) -> String {
            guard let next = iterator.next() else { usage("\(name) needs a value", systems: systems) }
            return next
        }
        while let argument = iterator.next() {
            switch argument {
            case "--system":
                options.system = value(argument)
                guard systems.contains(options.system) else { usage("unknown system \(options.system)", systems: systems) }
            case "--workload":
                let name = value(argument)
                guard let workload = Workload(rawValue: name) else { usage("unknown workload \(name)", systems: systems) }
                options.workload = workload
            case "--file": options.path = value(argument)
            case "--qd":
                guard let depth = Int(value(argument)), (1...4096).contains(depth) else { usage("--qd needs 1...4096", systems: systems) }
                options.queueDepth = depth
            case "--seconds":
                guard let seconds = Double(value(argument)), seconds > 0 else { usage("--seconds needs a positive number", systems: systems) }
                options.seconds = seconds
            case "--warmup":
                guard let warmup = Double(value(argument)), warmup >= 0 else { usage("--warmup needs a number >= 0", systems: systems) }
                options.warmup = warmup
            case "-h", "--help": usage(nil, systems: systems)
            default: usage("unknown argument \(argument)", systems: systems)
            }
        }
        if options.path.isEmpty { usage("--file is required", systems: systems) }
        return options
    }

    /// Size of the file at `path` in bytes; exits with a message when it cannot be read or is
    /// smaller than one block.
    public func fileSize() -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { fail("stat(\(path)): \(String(cString: strerror(errno)))") }
        let size = Int64(info.st_size)
        guard size >= Int64(workload.blockSize) else { fail("\(path) is smaller than one \(workload.blockSize)-byte block") }
        return size
    }
}

/// Prints `message` and the usage to stderr and exits with status 2.
public func usage(_ message: String?, systems: [String]) -> Never {
    let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? "compare-worker"
    var text = ""
    if let message { text += "\(program): \(message)\n" }
    text += "usage: \(program) --system \(systems.joined(separator: "|")) --workload \(Workload.allCases.map(\.rawValue).joined(separator: "|")) --file PATH [--qd N] [--seconds S] [--warmup S]\n"
    writeStandardError(text)
    exit(2)
}

/// Prints `message` to stderr and exits with status 1.
public func fail(_ message: String) -> Never {
    let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? "compare-worker"
    writeStandardError("\(program): \(message)\n")
    exit(1)
}

func writeStandardError(_ text: String) {
    var copy = text
    copy.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
