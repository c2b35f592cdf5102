import RingIO

/// Why a copy failed, as one line for stderr: what ringcp was doing, on which path, and the cause.
///
/// Failures of the ring keep RingIO's own description (errno name and number, operation, path and
/// a hint), prefixed with what ringcp was doing at the time.
struct CopyError: Error, CustomStringConvertible {
    /// The full message, without the "ringcp: " prefix.
    let message: String

    var description: String { message }

    /// An error ringcp found itself (not a regular file, same file, …).
    ///
    /// - Parameter message: the sentence to print.
    init(_ message: String) {
        self.message = message
    }

    /// A RingIO failure, with what ringcp was doing when it happened.
    ///
    /// - Parameters:
    ///   - context: e.g. "cannot open source 'a.bin'".
    ///   - error: what RingIO threw.
    init(_ context: String, _ error: RingIOError) {
        self.message = context + ": " + error.description
    }

    /// Runs `body`, turning a `RingIOError` it throws into a `CopyError` with `context`.
    ///
    /// - Parameters:
    ///   - context: what is being done, e.g. "cannot read 'a.bin'".
    ///   - body: the operation.
    /// - Returns: what `body` returns.
    /// - Throws: `CopyError` for RingIO failures; anything else `body` throws, unchanged.
    @discardableResult
    static func wrapping<T>(_ context: @autoclosure () -> String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RingIOError {
            throw CopyError(context(), error)
        }
    }
}

/// Quotes a path for messages: 'like this'.
///
/// - Parameter path: the path to show.
/// - Returns: the path in single quotes.
func quoted(_ path: String) -> String {
    "'" + path + "'"
}
