/// Number formatting for the progress bar and the summary line, without Foundation.
enum Formatting {
    /// `value` with `digits` digits after the point, e.g. fixed(1.2345, 2) = "1.23".
    ///
    /// - Parameters:
    ///   - value: a finite, non-negative number (anything else prints as "0").
    ///   - digits: digits after the decimal point (0...9).
    /// - Returns: the formatted number.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite, value >= 0, value < 1e15 else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        guard digits > 0 else { return "\(whole)" }
        var fraction = String(scaled % Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return "\(whole).\(fraction)"
    }

    /// A byte count in binary units for people, e.g. "12.5 MiB".
    ///
    /// - Parameters:
    ///   - bytes: a size in bytes.
    ///   - decimals: digits after the point (0 for "1 GiB").
    /// - Returns: the size with `decimals` decimals and B, KiB, MiB, GiB or TiB.
    static func bytes(_ bytes: Int64, decimals: Int = 1) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : fixed(value, decimals) + " " + units[unit]
    }

    /// Throughput in decimal gigabytes per second, e.g. "1.23 GB/s".
    ///
    /// - Parameters:
    ///   - bytes: bytes moved.
    ///   - seconds: time taken.
    /// - Returns: the rate, with two decimals.
    static func rate(_ bytes: Int64, _ seconds: Double) -> String {
        fixed(seconds > 0 ? Double(bytes) / seconds / 1e9 : 0, 2) + " GB/s"
    }
}
