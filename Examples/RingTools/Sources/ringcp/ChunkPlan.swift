/// The parts of the source to copy: chunk-aligned ranges that cover its data, holes left out.
///
/// The file is cut into `chunkSize` pieces at multiples of `chunkSize` (so O_DIRECT offsets stay
/// aligned); a piece is copied when it overlaps a data extent, and skipped when it lies wholly in a
/// hole. Holes shorter than a chunk, or not chunk-aligned, become zeros in the copy. Neighbouring
/// pieces are merged, so a file without holes is one range, `0..<size`.
struct ChunkPlan: Sendable {
    /// Bytes per chunk (the buffer size).
    let chunkSize: Int
    /// The source's size.
    let size: Int64
    /// The ranges to read and write, in file order; each starts at a multiple of `chunkSize` and
    /// ends at one, or at `size`.
    let ranges: [Range<Int64>]
    /// Bytes that will be read and written (less than `size` when holes are skipped).
    var dataBytes: Int64 { ranges.reduce(0) { $0 + Int64($1.count) } }

    /// Creates the plan.
    ///
    /// - Parameters:
    ///   - extents: data ranges in order (see `DataExtents.find`).
    ///   - size: the source's size.
    ///   - chunkSize: bytes per chunk (more than 0).
    init(extents: [Range<Int64>], size: Int64, chunkSize: Int) {
        self.size = size
        self.chunkSize = chunkSize
        let step = Int64(chunkSize)
        var ranges: [Range<Int64>] = []
        for extent in extents where !extent.isEmpty && extent.lowerBound < size {
            let start = extent.lowerBound / step * step
            let end = min(size, (extent.upperBound + step - 1) / step * step)
            if let last = ranges.last, last.upperBound >= start {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, end)
            } else {
                ranges.append(start..<end)
            }
        }
        self.ranges = ranges
    }
}
