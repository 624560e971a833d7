import Foundation
import KeelLinux
import SystemPackage

/// What the test-agent tests observe from outside: datagrams on a notify socket, HTTP answers,
/// `/proc`, and the clean-up of processes the test did not start itself.
enum TestAgentProbes {
    /// The next datagram on `socket`, waiting at most `seconds` (nil then).
    static func receive(on socket: DatagramSocket, seconds: Int32 = 60) throws -> ReceivedDatagram? {
        var ready = pollfd(fd: socket.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, seconds * 1000) > 0 else { return nil }
        return try socket.receive(capacity: 4096)
    }

    /// Every datagram waiting on `socket` now, as text.
    static func drain(_ socket: DatagramSocket) throws -> [String] {
        var messages: [String] = []
        while let datagram = try socket.receive(capacity: 4096) {
            messages.append(String(decoding: datagram.bytes, as: UTF8.self))
        }
        return messages
    }

    /// `GET path` from 127.0.0.1:`port` over HTTP/1.1 (`Connection: close`): the status code
    /// and the body; reads give up after 60 s.
    static func get(_ path: String, port: Int) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        defer { close(fd) }
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
        guard connected == 0 else { throw SystemError(call: "connect", errno: errno) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        try request.withUnsafeBytes { try SystemCall.writeAll(fd, $0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try SystemCall.read(fd, into: $0) }
            if count == 0 { break }
            response += buffer[..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: "\r\n").first ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else { throw ProbeError("no HTTP status in: \(text)") }
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// The resident memory of process `pid` in KiB (`VmRSS` in `/proc/PID/status`).
    static func residentKibibytes(of pid: Int32) throws -> Int? {
        let status = String(decoding: try FileSystem.readWholeFile("/proc/\(pid)/status"), as: UTF8.self)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// The pids in a `--children-file`.
    static func pids(in file: String) throws -> [Int32] {
        String(decoding: try FileSystem.readWholeFile(file), as: UTF8.self).split(separator: "\n").compactMap {
            Int32($0)
        }
    }
}

/// A probe that found something other than it expected.
struct ProbeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
