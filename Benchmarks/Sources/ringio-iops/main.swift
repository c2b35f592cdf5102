// ringio-iops: fixed-duration 4 KiB random READ_FIXED load against one file, for comparison with
// `fio --ioengine=io_uring --fixedbufs=1 --rw=randread --bs=4k`.
//
//     ringio-iops --file PATH [--qd N] [--seconds S] [--bs BYTES] [--warmup N] [--prepare] [--no-registered-files] [--direct] [--plain-setup]
//
// Prints exactly one line on stdout:  iops=<n> ops=<n> seconds=<s>
// (diagnostics go to stderr). Exit status 0 on success, 1 on failure, 2 on bad arguments.

import RingIO
import RingIOWorkload

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct Options {
    var file: String?
    var queueDepth = 32
    var seconds = 5.0
    var blockSize = 4096
    var warmupReadsPerReader = 256
    var prepare = false
    var registerFiles = true
    var direct = false
    var plainSetup = false
}

func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { bytes in
        _ = write(2, bytes.baseAddress, bytes.count)
    }
}

func formatSeconds(_ value: Double) -> String {
    // Three decimals without Foundation.
    let millis = Int((value * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

func usage() -> Never {
    printError(
        """
        usage: ringio-iops --file PATH [--qd N] [--seconds S] [--bs BYTES] [--warmup N] [--prepare] [--no-registered-files] [--direct] [--plain-setup]
          --file PATH   file to read (must exist unless --prepare is given)
          --qd N        reads in flight (reader tasks), default 32
          --seconds S   measured duration, default 5
          --bs BYTES    block size, default 4096
          --warmup N    unmeasured reads per reader before timing starts, default 256
          --prepare     create PATH (256 MiB) if missing or of another size, and read it once
        output: iops=<n> ops=<n> seconds=<s>
        """
    )
    exit(2)
}

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var index = 0
    func value(_ name: String) -> String {
        index += 1
        guard index < arguments.count else {
            printError("missing value for \(name)")
            usage()
        }
        return arguments[index]
    }
    while index < arguments.count {
        let argument = arguments[index]
        switch argument {
        case "--file":
            options.file = value(argument)
        case "--qd":
            guard let n = Int(value(argument)), n >= 1, n <= 4096 else { usage() }
            options.queueDepth = n
        case "--seconds":
            guard let s = Double(value(argument)), s > 0 else { usage() }
            options.seconds = s
        case "--bs":
            guard let n = Int(value(argument)), n >= 512, n % 512 == 0 else { usage() }
            options.blockSize = n
        case "--warmup":
            guard let n = Int(value(argument)), n >= 0 else { usage() }
            options.warmupReadsPerReader = n
        case "--prepare":
            options.prepare = true
        case "--no-registered-files":
            options.registerFiles = false
        case "--direct":
            options.direct = true
        case "--plain-setup":
            options.plainSetup = true
        case "-h", "--help":
            usage()
        default:
            printError("unknown argument: \(argument)")
            usage()
        }
        index += 1
    }
    return options
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
guard let path = options.file else {
    printError("--file is required")
    usage()
}

do {
    if options.prepare {
        try TestFile.prepare(path: path)
    }
    let workload = RandomReadWorkload(
        path: path,
        queueDepth: options.queueDepth,
        blockSize: options.blockSize,
        warmupReadsPerReader: options.warmupReadsPerReader,
        direct: options.direct
    )
    var configuration = RandomReadWorkload.executorConfiguration(
        queueDepth: options.queueDepth, blockSize: options.blockSize
    )
    if !options.registerFiles { configuration.registeredFiles = 0 }
    if options.plainSetup { configuration.setupFlags = [] }
    let executor = try RingExecutor(configuration: configuration)
    let nanoseconds = Int64((options.seconds * 1e9).rounded())
    let result: RandomReadResult
    do {
        result = try await executor.run {
            try await workload.run(on: executor, until: .duration(.nanoseconds(nanoseconds)))
        }
    } catch {
        await executor.shutdown()
        throw error
    }
    await executor.shutdown()

    let iops = result.operationsPerSecond
    print("iops=\(Int(iops.rounded())) ops=\(result.operations) seconds=\(formatSeconds(result.seconds))")
} catch {
    printError("ringio-iops: \(error)")
    exit(1)
}

