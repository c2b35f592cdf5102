import FileServerCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers GET and HEAD with files below the root: the HTTP side of the server, shared by backends.
///
/// Per request: check the path (`RequestPath`), find what is there (`kind(of:)`; a directory means
/// its `index.html`), open it (`open(_:)`, which checks it is a regular file inside the root),
/// answer 304 when the client's copy is current, evaluate `Range`, then send either the whole
/// body in one buffer with the head (bodies up to one chunk) or a streamed body that closes the
/// file when it ends.
public struct FileResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let backend: any FileBackend
    let chunkSize: Int
    let statsPath: String?
    let stats: ServerStats

    /// - Parameters:
    ///   - backend: where the bytes come from.
    ///   - chunkSize: bodies up to this size are read in one go and sent with the head.
    ///   - statsPath: if set, GET of exactly this path answers the stats as JSON instead of a file.
    ///   - stats: the counters.
    public init(backend: any FileBackend, chunkSize: Int, statsPath: String?, stats: ServerStats) {
        self.backend = backend
        self.chunkSize = chunkSize
        self.statsPath = statsPath
        self.stats = stats
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        // `@concurrent`: once the preference is pushed, the closure hops to the generic executor,
        // which is then the preferred one (RingIO's ring thread with `--affinity request`).
        await withTaskExecutorPreference(backend.preferredExecutor) { @concurrent in
            await self.answer(request)
        }
    }

    /// The whole decision; never throws: every failure becomes a status (`ServeError`).
    func answer(_ request: Request) async -> Response {
        let isHead = request.method == .head
        guard request.method == .get || isHead else { return ServeError.methodNotAllowed.response(isHead: false) }
        let rawPath = request.uri.path
        if let statsPath, rawPath == statsPath { return statsResponse(isHead: isHead) }
        do {
            let path: RequestPath
            do { path = try RequestPath(raw: rawPath) } catch { throw ServeError(error) }
            switch try await locate(path) {
            case .redirect(let location):
                return Response(status: .movedPermanently, headers: [.location: location, .contentLength: "0"])
            case .file(let file, let name):
                return await respond(with: file, named: name, to: request, isHead: isHead)
            }
        } catch {
            return error.response(isHead: isHead)
        }
    }

    enum Located {
        case file(any OpenFile, name: String?)
        case redirect(String)
    }

    /// Finds and opens the file for `path`: directories redirect to `path/`, then serve their `index.html`.
    func locate(_ path: RequestPath) async throws(ServeError) -> Located {
        var target = path
        switch try await backend.kind(of: path) {
        case .regular:
            break
        case .directory:
            guard path.segments.isEmpty || path.hasTrailingSlash else { return .redirect(path.encoded + "/") }
            target = path.appending("index.html")
            switch try await backend.kind(of: target) {
            case .regular: break
            case .directory, .other: throw .notFound
            }
        case .other:
            throw .forbidden("not a regular file")
        }
        return .file(try await backend.open(target), name: target.lastName)
    }

    /// Builds the response for an open file; closes it unless a streamed body takes it over.
    func respond(with file: any OpenFile, named name: String?, to request: Request, isHead: Bool) async -> Response {
        let metadata = file.metadata
        let size = metadata.size
        var headers: HTTPFields = [
            .contentType: ContentType.forFile(named: name),
            .eTag: metadata.entityTag,
            .lastModified: metadata.lastModified,
            .acceptRanges: "bytes",
        ]
        let headersIn = request.headers
        if Preconditions.isNotModified(
            ifNoneMatch: headersIn[.ifNoneMatch], ifModifiedSince: headersIn[.ifModifiedSince], metadata) {
            await file.close()
            headers[.contentType] = nil
            headers[.contentLength] = String(size)  // RFC 9110 §8.6: the length a 200 would have
            return Response(status: .notModified, headers: headers)
        }
        var status = HTTPResponse.Status.ok
        var range: Range<Int64> = 0..<size
        // Range applies to GET only (RFC 9110 §14.2); If-Range falls back to the whole file.
        if !isHead, Preconditions.allowsRange(ifRange: headersIn[.ifRange], metadata) {
            switch ByteRange.evaluate(headersIn[.range], size: size) {
            case .wholeFile:
                break
            case .partial(let partial):
                status = .partialContent
                range = partial
                headers[.contentRange] = ByteRange.contentRange(partial, size: size)
            case .unsatisfiable:
                await file.close()
                return Response(status: .rangeNotSatisfiable,
                                headers: [.contentRange: ByteRange.unsatisfiedRange(size: size), .contentLength: "0"])
            }
        }
        headers[.contentLength] = String(range.count)
        if isHead || range.isEmpty {
            await file.close()
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        if range.count <= Int64(chunkSize) {
            // One chunk: read it now and let Hummingbird send head + body + end in one write.
            do {
                let buffer = try await file.read(range)
                await file.close()
                return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
            } catch {
                await file.close()
                return ServeError.failure(String(describing: error)).response(isHead: false)
            }
        }
        return Response(status: status, headers: headers, body: streamingBody(file, range))
    }

    /// A body that streams `range` of `file` and closes the file when it ends, also when the
    /// client goes away mid-body (the socket write throws) or a read fails.
    func streamingBody(_ file: any OpenFile, _ range: Range<Int64>) -> ResponseBody {
        let executor = backend.preferredExecutor
        return ResponseBody(contentLength: Int(range.count)) { writer in
            try await withTaskExecutorPreference(executor) { @concurrent in
                let chunks = file.chunks(range)
                do {
                    while let buffer = try await chunks.next() {
                        try await writer.write(buffer)
                    }
                    try await writer.finish(nil)
                } catch {
                    await chunks.cancelAndDrain()  // e.g. the client went away: stop reading
                    await file.close()
                    throw error
                }
                await file.close()
            }
        }
    }

    /// The counters as a small JSON object.
    func statsResponse(isHead: Bool) -> Response {
        var fields = [("backend", "\"\(backend.name)\""), ("openFiles", String(stats.openFileCount)),
                      ("filesOpened", String(stats.openedFileCount))]
        fields += backend.statsFields()
        let json = "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
        let headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store",
                                   .contentLength: String(json.utf8.count)]
        return Response(status: .ok, headers: headers,
                        body: isHead ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}

extension Error {
    /// The error response for any error on the way to a file.
    fileprivate func response(isHead: Bool) -> Response {
        (self as? ServeError ?? .failure(String(describing: self))).response(isHead: isHead)
    }
}

extension ServeError {
    /// A response with the reason as a plain-text body (no body for HEAD).
    ///
    /// - Parameter isHead: whether the request was HEAD.
    public func response(isHead: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if case .methodNotAllowed = self { headers[.allow] = "GET, HEAD" }
        let text = description + "\n"
        headers[.contentLength] = String(text.utf8.count)
        let body = isHead ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: text))
        return Response(status: HTTPResponse.Status(code: statusCode), headers: headers, body: body)
    }
}
