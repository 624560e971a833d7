import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// The API socket's file: its directory (mode 0711: agents that run as another user pass through
/// it to their notify sockets; nobody else may list it), the check that no other daemon answers
/// on it, its mode (0600), and its removal when the server stops.
public enum DaemonSocket {
    /// Makes `ROOT/run` (mode 0711, also when it existed) and makes sure nothing listens on
    /// `ROOT/run/keel.sock` (`DaemonClient.isRunning(paths:)`). A stale socket file (connecting
    /// is refused) is left for the server, which replaces it when it binds.
    ///
    /// - Throws: `DaemonAPIServerError` when something listens there (a socket that cannot be
    ///   probed, permission denied for one, counts as held), or when the directory cannot be
    ///   made private.
    public static func claim(_ paths: DaemonPaths) throws(DaemonAPIServerError) {
        do throws(SystemError) {
            try FileSystem.makeDirectories(paths.runDirectory, permissions: 0o711)
            let directory = try FileSystem.openDirectory(Array(paths.runDirectory.utf8))
            defer { FileSystem.close(directory) }
            try FileSystem.setPermissions(directory, 0o711)
        } catch {
            throw DaemonAPIServerError("cannot prepare \(paths.runDirectory): \(error)")
        }
        if DaemonClient.isRunning(paths: paths) {
            throw DaemonAPIServerError("another keel daemon is running (it holds \(paths.socket))")
        }
    }

    /// Sets the socket's mode to 0600 and returns its inode (to remove it later only if it is
    /// still this one).
    static func restrict(_ paths: DaemonPaths) throws(SystemError) -> UInt64 {
        let directory = try FileSystem.openDirectory(Array(paths.runDirectory.utf8))
        defer { FileSystem.close(directory) }
        try FileSystem.setPermissions(Array("keel.sock".utf8), in: directory, 0o600)
        return try FileSystem.status(of: Array("keel.sock".utf8), in: directory).inode
    }

    /// Removes the socket file if it is still the one with `inode` (another daemon may have
    /// replaced it meanwhile).
    static func remove(_ paths: DaemonPaths, inode: UInt64) {
        do throws(SystemError) {
            let directory = try FileSystem.openDirectory(Array(paths.runDirectory.utf8))
            defer { FileSystem.close(directory) }
            let name = Array("keel.sock".utf8)
            guard try FileSystem.status(of: name, in: directory).inode == inode else { return }
            try FileSystem.remove(name, in: directory, isDirectory: false)
        } catch {
            // Gone already, or not ours to remove: the next daemon replaces a stale file anyway.
        }
    }
}
