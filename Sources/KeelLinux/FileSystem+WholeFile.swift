import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension FileSystem {
    /// Reads the whole file at `path`, following symlinks, as a command reads a file a user
    /// named; at most `limit` bytes (a larger file is an `EFBIG` error).
    ///
    /// - Throws: `SystemError` with the call and errno that failed (`ENOENT`, `EACCES`,
    ///   `EISDIR` for a directory…).
    public static func readWholeFile(_ path: String, limit: Int = 1 << 30) throws(SystemError) -> [UInt8] {
        let fd = try withCString(Array(path.utf8)) { name throws(SystemError) in
            try SystemCall.retrying("open", path: path) { open(name, O_RDONLY | O_CLOEXEC) }
        }
        defer { _ = Glibc.close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var failure: SystemError?
            let count = chunk.withUnsafeMutableBytes { buffer in
                do throws(SystemError) { return try SystemCall.read(fd, into: buffer) } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw SystemError(call: "read", path: path, errno: failure.errno) }
            if count == 0 { return contents }
            guard contents.count + count <= limit else { throw SystemError(call: "read", path: path, errno: EFBIG) }
            contents.append(contentsOf: chunk[..<count])
        }
    }
}
