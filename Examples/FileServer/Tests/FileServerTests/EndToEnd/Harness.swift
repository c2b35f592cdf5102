import Foundation
import Testing

/// Starts a fixture and a server, runs `body`, then stops the server and checks it exited cleanly.
func withServer(
    _ config: ServerConfig, extraArguments: [String] = [],
    _ body: (ServerProcess, Curl, Fixture) throws -> Void
) throws {
    let fixture = try Fixture()
    defer { fixture.remove() }
    let server = try ServerProcess(root: fixture.root, arguments: config.arguments + extraArguments)
    let scratch = fixture.base.appendingPathComponent("scratch")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let curl = Curl(base: server.url, scratch: scratch)
    do {
        try body(server, curl, fixture)
    } catch {
        _ = server.stop()
        throw error
    }
    let (status, errors) = server.stop()
    #expect(status == 0, "the server should exit 0 after SIGTERM; stderr: \(errors)")
}

/// Counters from the server's `/_stats` endpoint.
struct ServerCounters: Decodable {
    var openFiles: Int
    var filesOpened: Int
    var poolBuffers: Int?
    var poolAvailable: Int?
}

extension Curl {
    /// Reads `/_stats`.
    func counters() throws -> ServerCounters {
        let response = try get("/_stats")
        return try JSONDecoder().decode(ServerCounters.self, from: response.body)
    }

    /// Polls `/_stats` until no file is open and every lease is back (up to `seconds`).
    func waitUntilIdle(seconds: Double = 10) throws -> ServerCounters {
        let deadline = Date().addingTimeInterval(seconds)
        var counters = try counters()
        while Date() < deadline, counters.openFiles != 0 || counters.poolAvailable != counters.poolBuffers {
            Thread.sleep(forTimeInterval: 0.1)
            counters = try self.counters()
        }
        return counters
    }
}
