import Synchronization
import ToolSupport

/// Counts the bytes copied and, when asked to, redraws a progress bar on stderr (at most ten times
/// a second, on one line with carriage returns).
///
/// Only drawn when stderr is a terminal and --quiet is not given: a redirected stderr stays clean.
final class CopyProgress: Sendable {
    /// Bytes the copy will move in all.
    let total: Int64
    /// Whether a bar is drawn.
    let drawsBar: Bool
    private let started: Double
    private let state: Mutex<State>

    private struct State {
        var done: Int64 = 0
        var lastDraw: Double = 0
        var drawn = false
    }

    /// Starts counting.
    ///
    /// - Parameters:
    ///   - total: bytes the copy will move.
    ///   - drawsBar: draw a bar on stderr.
    init(total: Int64, drawsBar: Bool) {
        self.total = total
        self.drawsBar = drawsBar
        self.started = MonotonicClock.seconds()
        self.state = Mutex(State())
    }

    /// Records `bytes` more copied; redraws the bar when it is due.
    ///
    /// - Parameter bytes: bytes of one finished chunk.
    func add(_ bytes: Int) {
        let now = MonotonicClock.seconds()
        let line: String? = state.withLock { state in
            state.done += Int64(bytes)
            guard drawsBar, now - state.lastDraw >= 0.1 || state.done == total else { return nil }
            state.lastDraw = now
            state.drawn = true
            return render(done: state.done, seconds: now - started)
        }
        if let line { writeAll(2, line) }
    }

    /// Erases the bar (if one was drawn), so the summary or an error starts on a clean line.
    func finish() {
        let drawn = state.withLock { $0.drawn }
        if drawn { writeAll(2, "\r\u{1B}[K") }
    }

    /// One frame: `\r[#####-----]  45%  12.0 MiB / 26.7 MiB  1.23 GB/s`, then erase-to-end-of-line.
    private func render(done: Int64, seconds: Double) -> String {
        let width = 30
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var percent = String(Int(fraction * 100))
        while percent.count < 3 { percent = " " + percent }
        return "\r[\(bar)] \(percent)%  \(Formatting.bytes(done)) / \(Formatting.bytes(total))  "
            + Formatting.rate(done, seconds) + "\u{1B}[K"
    }
}
