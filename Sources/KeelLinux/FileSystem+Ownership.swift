#if canImport(Glibc)
    import Glibc
#endif

extension FileSystem {
    /// `chown(2)`: gives the file or directory at `path` (following symlinks) to `uid`:`gid`.
    public static func changeOwner(of path: String, uid: UInt32, gid: UInt32) throws(SystemError) {
        _ = try SystemCall.retrying("chown", path: path) { chown(path, uid, gid) }
    }
}

extension FileSystem {
    /// `chmod(2)`: sets the permission bits (setuid, setgid and sticky included) of the file or
    /// directory at `path`, following symlinks.
    public static func changePermissions(of path: String, to permissions: UInt32) throws(SystemError) {
        _ = try SystemCall.retrying("chmod", path: path) { chmod(path, mode_t(permissions)) }
    }
}
