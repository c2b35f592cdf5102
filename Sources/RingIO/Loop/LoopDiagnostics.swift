import Glibc

/// Where the loop reports failures that belong to no request.
enum LoopDiagnostics {
    /// Writes `error` to standard error. Nothing a caller passed can cause these (a bad request
    /// fails in its own completion), so the loop reports them and keeps going.
    static func report(_ error: RingIOError) {
        var text = "\(error)\n"
        // Safety: withUTF8's buffer is valid inside the closure, and write(2) reads exactly its count bytes (never empty: ends in a newline).
        text.withUTF8 { _ = unsafe Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
