import Glibc

/// Why a request is answered with an error status instead of a file.
///
/// Every failure on the way to a file becomes one of these, so a bad request never crashes the
/// server or reveals which outside paths exist: the body is a short plain-text reason.
public enum ServeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 400: the request target cannot be a path (malformed encoding, not starting with `/`…).
    case badRequest(String)
    /// 403: the path is refused (`..`, encoded `/`, NUL, a link out of the root, not a regular file…).
    case forbidden(String)
    /// 404: nothing to serve at this path.
    case notFound
    /// 405: only GET and HEAD are served.
    case methodNotAllowed
    /// 500: an I/O error the client cannot fix.
    case failure(String)

    /// The HTTP status code.
    public var statusCode: Int {
        switch self {
        case .badRequest: return 400
        case .forbidden: return 403
        case .notFound: return 404
        case .methodNotAllowed: return 405
        case .failure: return 500
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let reason): return "400 Bad Request: \(reason)"
        case .forbidden(let reason): return "403 Forbidden: \(reason)"
        case .notFound: return "404 Not Found"
        case .methodNotAllowed: return "405 Method Not Allowed: only GET and HEAD are served"
        case .failure(let reason): return "500 Internal Server Error: \(reason)"
        }
    }

    /// Maps a path problem to 400 (unparseable) or 403 (refused).
    public init(_ problem: RequestPath.Problem) {
        switch problem {
        case .notAbsolute, .malformedEncoding, .invalidUTF8: self = .badRequest(problem.description)
        case .parentSegment, .encodedSeparator, .nulByte: self = .forbidden(problem.description)
        }
    }

    /// Maps an errno from opening or inspecting a path: missing → 404, denied or looping → 403.
    ///
    /// - Parameters:
    ///   - errno: the error number.
    ///   - what: for the 500 text, e.g. the error's own description.
    public init(errno: Int32, _ what: @autoclosure () -> String) {
        switch errno {
        case ENOENT, ENOTDIR, ENAMETOOLONG: self = .notFound
        case EACCES, EPERM: self = .forbidden("permission denied")
        case ELOOP: self = .forbidden("too many levels of symbolic links")
        default: self = .failure(what())
        }
    }
}
