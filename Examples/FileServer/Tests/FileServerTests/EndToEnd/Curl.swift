import Foundation

/// One HTTP exchange made with the real `curl` binary.
struct CurlResponse {
    var status: Int
    /// Header names in lower case; the last response's headers only (after redirects: none followed).
    var headers: [String: String]
    var body: Data
    /// Body bytes curl counted (`%{size_download}`); with `--head`, curl writes the head to the
    /// output file, so this is the body count to check.
    var downloadedBodyBytes: Int
    /// Where curl wrote the body, for `cmp` against the file on disk.
    var bodyFile: URL

    subscript(header name: String) -> String? { headers[name.lowercased()] }
}

/// Runs curl against the server under test, never following redirects, with `--path-as-is` so
/// `..` and `%2e%2e` reach the server unchanged.
struct Curl {
    let base: String
    let scratch: URL

    /// Makes a request.
    ///
    /// - Parameters:
    ///   - path: the raw request path (sent as-is).
    ///   - options: extra curl options (`-I`, `-r 0-9`, `-H …`).
    func get(_ path: String, _ options: [String] = []) throws -> CurlResponse {
        let id = UUID().uuidString
        let bodyFile = scratch.appendingPathComponent("body-\(id)")
        let headerFile = scratch.appendingPathComponent("headers-\(id)")
        let result = try runCommand("curl", [
            "--silent", "--show-error", "--path-as-is", "--max-time", "30",
            "--output", bodyFile.path, "--dump-header", headerFile.path, "--write-out", "%{http_code} %{size_download}",
        ] + options + [base + path])
        let written = result.output.split(separator: " ")
        guard result.status == 0, written.count == 2, let status = Int(written[0]), let downloaded = Int(written[1]) else {
            throw HarnessError(description: "curl \(options) \(path) failed (exit \(result.status)): \(result.errorOutput)")
        }
        let headerText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        var headers: [String: String] = [:]
        for line in headerText.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            if line.hasPrefix("HTTP/") { headers = [:]; continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = (try? Data(contentsOf: bodyFile)) ?? Data()
        return CurlResponse(status: status, headers: headers, body: body, downloadedBodyBytes: downloaded, bodyFile: bodyFile)
    }

    /// `cmp -s` of a response body against a file on disk: byte for byte, with cmp's own verdict.
    func sameBytes(_ response: CurlResponse, _ file: URL) throws -> Bool {
        try runCommand("cmp", ["-s", response.bodyFile.path, file.path]).status == 0
    }
}
