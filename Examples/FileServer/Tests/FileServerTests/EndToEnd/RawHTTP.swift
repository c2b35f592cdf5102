import Foundation
import Glibc

/// Sends one raw HTTP/1.1 request over a loopback socket and returns every byte the server sent
/// until it closed the connection: for checks curl cannot make (that a HEAD response really has no
/// body bytes after the head).
func rawExchange(port: Int, request: String) throws -> [UInt8] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError(description: "socket() failed: errno \(errno)") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HarnessError(description: "connect() failed: errno \(errno)") }
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw HarnessError(description: "send() failed: errno \(errno)") }
        sent += n
    }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n < 0 { throw HarnessError(description: "recv() failed or timed out: errno \(errno)") }
        if n == 0 { break }
        received += buffer[..<n]
    }
    return received
}

/// Splits a raw response into the head (through the blank line) and the rest.
func splitHead(_ raw: [UInt8]) -> (head: String, rest: [UInt8])? {
    let marker: [UInt8] = Array("\r\n\r\n".utf8)
    guard raw.count >= 4 else { return nil }
    for index in 0...(raw.count - 4) where Array(raw[index..<index + 4]) == marker {
        return (String(decoding: raw[..<(index + 4)], as: UTF8.self), Array(raw[(index + 4)...]))
    }
    return nil
}
