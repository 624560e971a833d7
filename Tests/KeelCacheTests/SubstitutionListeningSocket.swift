import Glibc
import KeelLinux

/// A TCP socket listening on 127.0.0.1 at a port the kernel picked: handed to nginx as an
/// inherited socket (so it is ready before nginx starts), or left unanswered to play a cache
/// that never replies (the kernel completes connections into the backlog).
final class SubstitutionListeningSocket: @unchecked Sendable {
    /// The descriptor, until `close()`.
    private(set) var descriptor: Int32
    /// The port.
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError(call: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 128) == 0 else {
            let error = SystemError(call: "bind", errno: errno)
            Glibc.close(descriptor)
            throw error
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            let error = SystemError(call: "getsockname", errno: errno)
            Glibc.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes the socket (pending connections are reset).
    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }
}
