/// The one JSON object a worker prints: what `Benchmarks/compare` collects from every system.
public struct Report: Sendable {
    public var options: WorkerOptions
    public var window: Window
    public var recorder: Recorder
    public var cpu: (user: Double, system: Double)
    /// Free text about how the system ran the workload (e.g. "32 threads").
    public var note: String

    public init(options: WorkerOptions, window: Window, recorder: Recorder, cpu: (user: Double, system: Double), note: String) {
        self.options = options
        self.window = window
        self.recorder = recorder
        self.cpu = cpu
        self.note = note
    }

    /// The JSON text (one line).
    public var json: String {
        let seconds = window.seconds
        let latency = recorder.latency
        let fields: [(String, String)] = [
            ("system", quoted(options.system)),
            ("workload", quoted(options.workload.rawValue)),
            ("depth", String(options.queueDepth)),
            ("block_size", String(options.workload.blockSize)),
            ("ops", String(recorder.operations)),
            ("bytes", String(recorder.bytes)),
            ("seconds", String(seconds)),
            ("iops", String(Double(recorder.operations) / seconds)),
            ("cpu_user_s", String(cpu.user)),
            ("cpu_sys_s", String(cpu.system)),
            ("lat_p50_ns", String(latency.valueAtPercentile(50))),
            ("lat_p99_ns", String(latency.valueAtPercentile(99))),
            ("lat_p999_ns", String(latency.valueAtPercentile(99.9))),
            ("note", quoted(note)),
        ]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// Prints `json` on stdout.
    public func print() {
        Swift.print(json)
    }

    private func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default:
                if scalar.value < 0x20 { result += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
