import KeelLinux

/// Writes small files for tests directly (Foundation's `createFile` writes through a temporary
/// directory it leaves behind).
public enum TestFiles {
    /// Creates `path` (which must not exist) holding `bytes`, with `permissions`.
    public static func write(_ path: String, _ bytes: [UInt8], permissions: UInt32 = 0o644) throws {
        let fd = try FileSystem.createFile(Array(path.utf8), in: FileSystem.currentDirectory, permissions: 0o600)
        defer { FileSystem.close(fd) }
        try bytes.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) }
        try FileSystem.setPermissions(fd, permissions)
    }
}
