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
        // The buffer is temporary (on the stack when there is room: most files read whole are
        // small /proc entries and configs) and never zero-filled.
        let chunkSize = limit < 64 * 1024 ? max(1, limit + 1) : 64 * 1024
        return try withUnsafeTemporaryAllocation(byteCount: chunkSize, alignment: 16) {
            chunk throws(SystemError) -> [UInt8] in
            var contents: [UInt8] = []
            while true {
                let count: Int
                do throws(SystemError) {
                    count = try SystemCall.read(fd, into: chunk)
                } catch {
                    throw SystemError(call: "read", path: path, errno: error.errno)
                }
                if count == 0 { return contents }
                guard contents.count + count <= limit else { throw SystemError(call: "read", path: path, errno: EFBIG) }
                contents.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            }
        }
    }
}
