import Foundation

/// A temporary served root with known files, and a sibling directory outside it holding a secret
/// that no request may ever return.
struct Fixture {
    let base: URL
    let root: URL
    let outside: URL
    /// The content of `outside/secret.txt`; it must never appear in a response body.
    static let secret = "TOP-SECRET-\(UUID().uuidString)"
    /// A large file: 5 MiB + 123 bytes, not a multiple of any chunk size.
    static let largeSize = 5 * 1024 * 1024 + 123

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("ringio-fileserver-\(UUID().uuidString)")
        root = base.appendingPathComponent("root")
        outside = base.appendingPathComponent("outside")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("site"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("noindex"), withIntermediateDirectories: true)
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data(Self.secret.utf8).write(to: outside.appendingPathComponent("secret.txt"))

        try Data("hello, ring\n".utf8).write(to: file("small.txt"))
        try Data().write(to: file("empty.txt"))
        try Self.pattern(Self.largeSize, seed: 1).write(to: file("large.bin"))
        try Self.pattern(65536, seed: 2).write(to: file("chunk.bin"))        // exactly one 64 KiB chunk
        try Self.pattern(65537, seed: 3).write(to: file("chunk1.bin"))       // one chunk and one byte
        try Data("<h1>site</h1>\n".utf8).write(to: file("site/index.html"))
        try Data("body{}\n".utf8).write(to: file("site/style.css"))
        try Data("console.log(1)\n".utf8).write(to: file("site/app.js"))
        try Data("{\"a\":1}\n".utf8).write(to: file("data.json"))
        try Self.pattern(300, seed: 4).write(to: file("image.png"))
        try Self.pattern(100, seed: 5).write(to: file("module.wasm"))
        try Self.pattern(100, seed: 6).write(to: file("blob.xyz"))
        try Data("nested\n".utf8).write(to: file("sub/nested.txt"))
        try Data("unicode\n".utf8).write(to: file("a b ü.txt"))

        // Links: inside the root (allowed) and out of it (refused).
        try fm.createSymbolicLink(atPath: file("alias.txt").path, withDestinationPath: "sub/nested.txt")
        try fm.createSymbolicLink(atPath: file("etc").path, withDestinationPath: "/etc")
        try fm.createSymbolicLink(atPath: file("passwd").path, withDestinationPath: "/etc/passwd")
        try fm.createSymbolicLink(atPath: file("leak.txt").path, withDestinationPath: "../outside/secret.txt")
        try fm.createSymbolicLink(atPath: file("outdir").path, withDestinationPath: outside.path)
        // A FIFO: opening it for reading would block; it must be refused without hanging.
        _ = try runCommand("mkfifo", [file("pipe").path])
    }

    func file(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    func bytes(_ relative: String) throws -> Data { try Data(contentsOf: file(relative)) }

    func remove() { try? FileManager.default.removeItem(at: base) }

    /// Deterministic pseudo-random bytes (xorshift), so every offset differs from its neighbours.
    static func pattern(_ count: Int, seed: UInt64) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
        return Data(bytes)
    }
}
