import Glibc

/// The program's arguments as raw bytes: file names on Linux are bytes, not necessarily UTF-8,
/// and `CommandLine.arguments` would repair invalid UTF-8 (changing the name).
enum CommandLineBytes {
    /// The arguments after the program name, each exactly as the kernel passed it.
    static func arguments() -> [[UInt8]] {
        var result: [[UInt8]] = []
        let argv = CommandLine.unsafeArgv
        for index in 1..<Int(max(1, CommandLine.argc)) {
            guard let argument = argv[index] else { continue }
            let length = strlen(argument)
            result.append(argument.withMemoryRebound(to: UInt8.self, capacity: length) {
                Array(UnsafeBufferPointer(start: $0, count: length))
            })
        }
        return result
    }
}
