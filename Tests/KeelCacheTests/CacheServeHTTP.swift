import Foundation
import KeelLinux

/// One HTTP/1.1 exchange with a local server over a plain socket, the request line sent exactly
/// as given (so a test can send `..` and percent-encodings no URL library would keep).
struct CacheServeHTTP {
    /// The status code.
    let status: Int
    /// The header fields, names lower-cased.
    let headers: [String: String]
    /// The body, de-chunked.
    let body: [UInt8]

    /// Sends `method target` with `headers` (and `Connection: close`) to 127.0.0.1:`port` and
    /// reads the whole response; reads give up after 60 s.
    static func request(
        _ method: String, _ target: String, port: Int, headers: [String: String] = [:]
    ) throws -> CacheServeHTTP {
        let fd = try connected(port: port)
        defer { close(fd) }
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let request = Array((text + "\r\n").utf8)
        try request.withUnsafeBytes { try SystemCall.writeAll(fd, $0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try SystemCall.read(fd, into: $0) }
            if count == 0 { break }
            response += buffer[..<count]
        }
        return try parse(response, method: method)
    }

    /// Sends `GET target` to 127.0.0.1:`port`, reads at least `count` bytes of the response, and
    /// hangs up, as a client that went away mid-download.
    static func hangUp(_ target: String, port: Int, after count: Int) throws {
        let fd = try connected(port: port)
        defer { close(fd) }
        let request = Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        try request.withUnsafeBytes { try SystemCall.writeAll(fd, $0) }
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received < count {
            let read = try buffer.withUnsafeMutableBytes { try SystemCall.read(fd, into: $0) }
            if read == 0 { throw CacheServeTestError("the server ended the response after \(received) bytes") }
            received += read
        }
    }

    /// A TCP socket connected to 127.0.0.1:`port`, whose reads give up after 60 s.
    private static func connected(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = SystemError(call: "connect", errno: errno)
            close(fd)
            throw error
        }
        return fd
    }

    /// Splits a response into status, headers and body.
    private static func parse(_ response: [UInt8], method: String) throws -> CacheServeHTTP {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = response.indices.first(where: { response[$0...].starts(with: separator) }) else {
            throw CacheServeTestError("no end of headers in: \(String(decoding: response, as: UTF8.self))")
        }
        let lines = String(decoding: response[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusFields = lines[0].split(separator: " ")
        guard statusFields.count >= 2, let status = Int(statusFields[1]) else {
            throw CacheServeTestError("no status in '\(lines[0])'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Array(response[(end + 4)...])
        if method != "HEAD", headers["transfer-encoding"] == "chunked" { body = try dechunk(body) }
        return CacheServeHTTP(status: status, headers: headers, body: body)
    }

    /// The bytes of a chunked body.
    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\r")),
                let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16),
                lineEnd + 2 + size <= bytes.count
            else { throw CacheServeTestError("malformed chunked body") }
            if size == 0 { return result }
            result += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
        }
    }
}
