import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension FileSystem {
    /// Opens (creating it if missing, with `permissions`) a file for appending (`O_APPEND`):
    /// every write lands at its end. Never follows a final symlink.
    public static func openForAppending(_ name: [UInt8], in directory: FileDescriptor, permissions: UInt32 = 0o644)
        throws(SystemError) -> FileDescriptor
    {
        let fd = try withCString(name) { path throws(SystemError) in
            try SystemCall.retrying("openat", path: display(name)) {
                openat(
                    directory.rawValue, path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                    mode_t(permissions))
            }
        }
        return FileDescriptor(rawValue: fd)
    }
}
