import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The file operations cgroups are driven with: a group is a directory, its settings are small
/// files written whole in one `write(2)`.
public enum CgroupFiles {
    /// Creates the group directory `path`; one that exists already is fine.
    public static func makeGroup(_ path: String) throws(SystemError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        throw SystemError(call: "mkdir", path: path, errno: errno)
    }

    /// Removes the (empty) group directory `path`.
    ///
    /// - Returns: `false` when it was already gone.
    /// - Throws: `SystemError` (`EBUSY` while a process or a child group is still in it).
    @discardableResult
    public static func removeGroup(_ path: String) throws(SystemError) -> Bool {
        while rmdir(path) != 0 {
            if errno == ENOENT { return false }
            if errno == EINTR { continue }
            throw SystemError(call: "rmdir", path: path, errno: errno)
        }
        return true
    }

    /// Whether `path` exists.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Writes `text` to the control file at `path` in one `write(2)` (the kernel reads a setting
    /// from one write).
    public static func write(_ text: String, to path: String) throws(SystemError) {
        let fd = try SystemCall.retrying("open", path: path) { open(path, O_WRONLY | O_CLOEXEC) }
        defer { Glibc.close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { buffer in Glibc.write(fd, buffer.baseAddress, buffer.count) }
        if written < 0 { throw SystemError(call: "write", path: path, errno: errno) }
        guard written == bytes.count else { throw SystemError(call: "write", path: path, errno: EIO) }
    }

    /// The text of the control file at `path`.
    public static func read(_ path: String) throws(SystemError) -> String {
        String(decoding: try FileSystem.readWholeFile(path, limit: 1 << 24), as: UTF8.self)
    }

    /// The value of `key` in a flat keyed file (`memory.events`, `memory.oom_control`,
    /// `cgroup.events`: `KEY VALUE` lines), or `nil` when it has no such line.
    public static func value(of key: String, in text: String) -> UInt64? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == key { return UInt64(fields[1]) }
        }
        return nil
    }

    /// The pids in a `cgroup.procs` text.
    public static func pids(in text: String) -> [Int32] {
        text.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
    }

    /// The names of the directories directly in `path` (a group's child groups).
    public static func childGroups(of path: String) throws(SystemError) -> [String] {
        let directory = try FileSystem.openDirectory(Array(path.utf8))
        defer { FileSystem.close(directory) }
        return try DirectoryListing.read(directory).filter { $0.kind == .directory }.map {
            FileSystem.display($0.name)
        }
    }
}
