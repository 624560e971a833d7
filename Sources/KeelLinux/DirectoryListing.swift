import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One entry of a directory: its raw name and the kind `readdir` reported.
public struct DirectoryEntry: Sendable {
    /// The name's bytes (never `.` or `..`).
    public let name: [UInt8]
    /// The kind from `d_type`; `.unknown` when the file system does not say.
    public let kind: FileKind
}

/// Reads every entry of an open directory.
public enum DirectoryListing {
    /// Lists the entries of `directory` (except `.` and `..`), in the order the kernel gives.
    ///
    /// The descriptor stays open and owned by the caller.
    public static func read(_ directory: FileDescriptor) throws(SystemError) -> [DirectoryEntry] {
        let duplicate = try SystemCall.retrying("dup") { dup(directory.rawValue) }
        guard let stream = fdopendir(duplicate) else {
            let code = errno
            _ = Glibc.close(duplicate)
            throw SystemError(call: "fdopendir", errno: code)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var entries: [DirectoryEntry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw SystemError(call: "readdir", errno: errno) }
                return entries
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[..<length])
            }
            if name == [0x2e] || name == [0x2e, 0x2e] { continue }
            entries.append(DirectoryEntry(name: name, kind: FileKind(directoryEntryType: entry.pointee.d_type)))
        }
    }
}
