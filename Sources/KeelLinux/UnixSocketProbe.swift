#if canImport(Glibc)
    import Glibc
#endif

/// Whether something listens on a Unix socket's path, asked of the kernel with one non-blocking
/// `connect`: a definite answer for a missing or stale socket file, with no protocol and no
/// timeout involved.
public enum UnixSocketProbe {
    /// What the kernel said.
    public enum Answer: Sendable, Equatable {
        /// Nothing is at the path (`ENOENT`).
        case absent
        /// A socket file nobody listens on any more (`ECONNREFUSED`): stale.
        case refused
        /// Something accepted the connection, or would once its queue has room (`EAGAIN`).
        case listening
        /// Connecting failed otherwise (permission denied, not a socket, a path too long); the
        /// errno says why.
        case failed(errno: Int32)
    }

    /// Connects a socket of `type` (`SOCK_STREAM`, `SOCK_DGRAM`) to `path` and closes it again.
    public static func probe(_ path: String, type: Int32) -> Answer {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= DatagramSocket.maximumPathLength, !bytes.contains(0) else {
            return .failed(errno: bytes.isEmpty ? ENOENT : ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .failed(errno: errno) }
        defer { close(fd) }
        var result: Int32
        repeat {
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        } while result != 0 && errno == EINTR
        if result == 0 { return .listening }
        switch errno {
        case ENOENT: return .absent
        case ECONNREFUSED: return .refused
        case EAGAIN, EINPROGRESS: return .listening
        case let code: return .failed(errno: code)
        }
    }
}
