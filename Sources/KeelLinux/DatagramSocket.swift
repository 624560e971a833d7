import CKeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A Unix datagram socket bound at a path, receiving with the sender's credentials
/// (`SO_PASSCRED`): the socket systemd's notify protocol speaks over.
public struct DatagramSocket: Sendable {
    /// The socket, close-on-exec and non-blocking on receive.
    public let descriptor: FileDescriptor
    /// The path it is bound at.
    public let path: String
    /// The device and inode of the socket file `bind` made, so `removePath` leaves alone a
    /// socket another bound at the same path since.
    private let fileIdentity: (device: UInt64, inode: UInt64)

    /// The longest path `sockaddr_un` holds (107 bytes and a NUL).
    public static let maximumPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Binds a new socket at `path`, replacing a socket left there by an earlier run (never
    /// another kind of file), sets `SO_PASSCRED`, and gives the socket file `permissions`.
    ///
    /// The file exists with the umask's mode between `bind` and `chmod`: keep it in a directory
    /// only its owner can enter.
    /// - Throws: `SystemError` naming the call and `path` (`ENAMETOOLONG` past
    ///   `maximumPathLength`, `EADDRINUSE` when another kind of file is there).
    public static func bind(path: String, permissions: UInt32 = 0o600) throws(SystemError) -> DatagramSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumPathLength, !bytes.contains(0) else {
            throw SystemError(call: "bind", path: path, errno: bytes.isEmpty ? ENOENT : ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        try removeStaleSocket(path)
        let fd = try SystemCall.retrying("socket", path: path) {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        let descriptor = FileDescriptor(rawValue: fd)
        do {
            var enabled: Int32 = 1
            _ = try SystemCall.retrying("setsockopt", path: path) {
                setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &enabled, socklen_t(MemoryLayout<Int32>.size))
            }
            _ = try SystemCall.retrying("bind", path: path) {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            _ = try SystemCall.retrying("chmod", path: path) { chmod(path, mode_t(permissions)) }
            var info = stat()
            _ = try SystemCall.retrying("lstat", path: path) { lstat(path, &info) }
            return DatagramSocket(
                descriptor: descriptor, path: path, fileIdentity: (UInt64(info.st_dev), UInt64(info.st_ino)))
        } catch {
            FileSystem.close(descriptor)
            throw error
        }
    }

    /// Receives one waiting datagram without blocking, closing every descriptor it carried.
    ///
    /// - Parameter capacity: the most bytes kept; a longer datagram is cut and says so.
    /// - Returns: the datagram, or `nil` when none is waiting.
    /// - Throws: `SystemError` naming `recvmsg` and the socket's path.
    public func receive(capacity: Int) throws(SystemError) -> ReceivedDatagram? {
        var buffer = [UInt8](repeating: 0, count: max(capacity, 1))
        var sender = ckeel_datagram_sender()
        let length: Int
        do {
            length = try SystemCall.retrying("recvmsg", path: path) {
                buffer.withUnsafeMutableBytes {
                    ckeel_receive_datagram(descriptor.rawValue, $0.baseAddress, $0.count, &sender)
                }
            }
        } catch  where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            return nil
        }
        let kept = min(length, capacity)
        return ReceivedDatagram(
            bytes: Array(buffer[..<kept]), isTruncated: length > capacity,
            senderPID: sender.has_credentials != 0 ? sender.pid : nil,
            senderUID: sender.has_credentials != 0 ? sender.uid : nil,
            closedDescriptors: Int(sender.closed_descriptors))
    }

    /// Closes the socket (the path stays; see `removePath`).
    public func close() { FileSystem.close(descriptor) }

    /// Removes the socket file at `path` if it is still the one `bind` made; anything else
    /// (another socket bound there since, another kind of file) is left alone.
    public func removePath() {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_dev) == fileIdentity.device,
            UInt64(info.st_ino) == fileIdentity.inode
        else { return }
        _ = unlink(path)
    }

    /// Unlinks `path` when it is a socket nobody has bound any more (a connect is refused); a
    /// missing path is not an error, and a socket that is still bound — another process's — is
    /// refused with `EADDRINUSE` rather than taken from it.
    private static func removeStaleSocket(_ path: String) throws(SystemError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return }
        guard UnixSocketProbe.probe(path, type: Int32(SOCK_DGRAM.rawValue)) == .refused else {
            throw SystemError(call: "bind", path: path, errno: EADDRINUSE)
        }
        _ = try SystemCall.retrying("unlink", path: path) { unlink(path) }
    }
}

/// One datagram as `DatagramSocket.receive` got it.
public struct ReceivedDatagram: Sendable, Equatable {
    /// Its bytes, at most the capacity asked for.
    public let bytes: [UInt8]
    /// Whether it was longer than the capacity (then `bytes` is only its start).
    public let isTruncated: Bool
    /// The sender's pid as the kernel vouches for it (`SCM_CREDENTIALS`), in the receiver's pid
    /// namespace (0 when the sender is outside it); `nil` when no credentials came.
    public let senderPID: Int32?
    /// The sender's uid, as for `senderPID`.
    public let senderUID: UInt32?
    /// How many descriptors it carried (`SCM_RIGHTS`), all closed on receipt.
    public let closedDescriptors: Int
}
