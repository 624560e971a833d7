#if canImport(Glibc)
    import Glibc
#endif

extension DatagramSocket {
    /// Sends one datagram to the Unix datagram socket at `address`, from a fresh unbound socket
    /// closed afterwards — what `sd_notify(3)` does with `NOTIFY_SOCKET`. Never blocks: a
    /// receiver whose queue is full fails the send with `EAGAIN`.
    ///
    /// - Parameters:
    ///   - bytes: the datagram (for the notify protocol: `KEY=VALUE` lines).
    ///   - address: a socket path, or `@name` for a name in the abstract namespace.
    /// - Throws: `SystemError` naming the call and `address` (`ECONNREFUSED` or `ENOENT`: nobody
    ///   is bound there; `ENAMETOOLONG` past `maximumPathLength`).
    public static func send(_ bytes: [UInt8], to address: String) throws(SystemError) {
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let isAbstract = address.hasPrefix("@")
        let name = isAbstract ? [0] + Array(address.utf8.dropFirst()) : Array(address.utf8)
        guard name.count > (isAbstract ? 1 : 0), name.count <= maximumPathLength,
            isAbstract || !name.contains(0)
        else {
            throw SystemError(call: "sendto", path: address, errno: name.count <= 1 ? ENOENT : ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: name) }
        // An abstract name is exactly its bytes; a path may take the whole structure (NUL-padded).
        let length =
            isAbstract
            ? socklen_t(MemoryLayout<sa_family_t>.size + name.count) : socklen_t(MemoryLayout<sockaddr_un>.size)
        let fd = try SystemCall.retrying("socket", path: address) {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        defer { Glibc.close(fd) }
        _ = try SystemCall.retrying("sendto", path: address) {
            bytes.withUnsafeBytes { buffer in
                withUnsafePointer(to: &socketAddress) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), $0, length)
                    }
                }
            }
        }
    }
}
