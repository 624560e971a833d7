import CKeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// File-system calls relative to directory descriptors, with names as raw bytes (Linux names
/// are any bytes but `/` and NUL, not necessarily UTF-8). Every call retries on `EINTR` and
/// throws `SystemError` naming the call and the path it was given.
public enum FileSystem {
    /// The descriptor meaning "the current directory" for the `*at` calls.
    public static let currentDirectory = FileDescriptor(rawValue: AT_FDCWD)

    /// Calls `body` with `name` as a NUL-terminated C string.
    @inlinable
    public static func withCString<R, E: Error>(
        _ name: [UInt8], _ body: (UnsafePointer<CChar>) throws(E) -> R
    ) throws(E) -> R {
        var terminated = name
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer throws(E) in
            try buffer.withMemoryRebound(to: CChar.self) { rebound throws(E) in try body(rebound.baseAddress!) }
        }
    }

    /// Text for error messages: the bytes as UTF-8, invalid sequences replaced.
    public static func display(_ name: [UInt8]) -> String { String(decoding: name, as: UTF8.self) }

    /// Opens a directory for reading without following a final symlink.
    public static func openDirectory(_ name: [UInt8], in directory: FileDescriptor = currentDirectory)
        throws(SystemError)
        -> FileDescriptor
    {
        let fd = try withCString(name) { path throws(SystemError) in
            try SystemCall.retrying("openat", path: display(name)) {
                openat(directory.rawValue, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Opens a file for reading; never follows a final symlink and never blocks on a fifo.
    public static func openForReading(_ name: [UInt8], in directory: FileDescriptor = currentDirectory)
        throws(SystemError) -> FileDescriptor
    {
        let fd = try withCString(name) { path throws(SystemError) in
            try SystemCall.retrying("openat", path: display(name)) {
                openat(directory.rawValue, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            }
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Creates a new file for writing (`O_EXCL`: fails if the name exists).
    public static func createFile(_ name: [UInt8], in directory: FileDescriptor, permissions: UInt32)
        throws(SystemError) -> FileDescriptor
    {
        try withCString(name) { path throws(SystemError) in
            try createFile(cString: path, in: directory, permissions: permissions)
        }
    }

    /// Creates a new file for writing (`O_EXCL`: fails if the name exists), named by a C string.
    public static func createFile(cString name: UnsafePointer<CChar>, in directory: FileDescriptor, permissions: UInt32)
        throws(SystemError) -> FileDescriptor
    {
        let fd = try SystemCall.retrying("openat", path: String(cString: name)) {
            openat(
                directory.rawValue, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(permissions))
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Closes a descriptor, ignoring errors (Linux releases it whatever `close` returns).
    public static func close(_ fd: FileDescriptor) {
        _ = Glibc.close(fd.rawValue)
    }

    /// `fstat(2)`.
    public static func status(of fd: FileDescriptor) throws(SystemError) -> FileStatus {
        var info = stat()
        _ = try SystemCall.retrying("fstat") { fstat(fd.rawValue, &info) }
        return FileStatus(info)
    }

    /// `fstatat(2)` without following a final symlink.
    public static func status(of name: [UInt8], in directory: FileDescriptor = currentDirectory)
        throws(SystemError) -> FileStatus
    {
        var info = stat()
        try withCString(name) { path throws(SystemError) in
            _ = try SystemCall.retrying("fstatat", path: display(name)) {
                fstatat(directory.rawValue, path, &info, AT_SYMLINK_NOFOLLOW)
            }
        }
        return FileStatus(info)
    }

    /// `readlinkat(2)`: the raw target bytes.
    public static func readLink(_ name: [UInt8], in directory: FileDescriptor = currentDirectory) throws(SystemError)
        -> [UInt8]
    {
        var capacity = 256
        while true {
            var target = [UInt8](repeating: 0, count: capacity)
            let count = try withCString(name) { path throws(SystemError) in
                try SystemCall.retrying("readlinkat", path: display(name)) {
                    target.withUnsafeMutableBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) {
                            readlinkat(directory.rawValue, path, $0.baseAddress!, capacity)
                        }
                    }
                }
            }
            if count < capacity { return Array(target[..<count]) }
            capacity *= 4
        }
    }

    /// `mkdirat(2)`.
    public static func makeDirectory(_ name: [UInt8], in directory: FileDescriptor, permissions: UInt32)
        throws(SystemError)
    {
        try withCString(name) { path throws(SystemError) in
            _ = try SystemCall.retrying("mkdirat", path: display(name)) {
                mkdirat(directory.rawValue, path, mode_t(permissions))
            }
        }
    }

    /// Creates the directory at `path` and any missing parents (`mkdir -p`); an existing
    /// directory, or a symlink to one, is left as it is.
    ///
    /// - Throws: `ENOTDIR` when something other than a directory has the name, or what
    ///   `mkdir(2)` reports.
    public static func makeDirectories(_ path: String, permissions: UInt32 = 0o755) throws(SystemError) {
        let name = Array(path.utf8)
        do {
            try makeDirectory(name, in: currentDirectory, permissions: permissions)
        } catch  where error.errno == EEXIST {
            var info = stat()
            try withCString(name) { cPath throws(SystemError) in
                _ = try SystemCall.retrying("stat", path: path) { fstatat(AT_FDCWD, cPath, &info, 0) }
            }
            guard info.st_mode & S_IFMT == S_IFDIR else { throw SystemError(call: "mkdir", path: path, errno: ENOTDIR) }
        } catch  where error.errno == ENOENT {
            guard let parent = path.lastIndex(of: "/"), parent != path.startIndex else { throw error }
            try makeDirectories(String(path[..<parent]), permissions: permissions)
            do { try makeDirectory(name, in: currentDirectory, permissions: permissions) } catch
                where
                error.errno == EEXIST
            {
                // Made meanwhile by another process.
            }
        }
    }

    /// `mkdtemp(3)`: creates a new directory `PARENT/PREFIX-XXXXXX` (mode 0700, the X's replaced
    /// so that the name did not exist) and returns its path.
    ///
    /// - Throws: `SystemError` naming `mkdtemp` and `parent` (`ENOENT` when it is missing).
    public static func makeTemporaryDirectory(in parent: String, prefix: String) throws(SystemError) -> String {
        var template = Array("\(parent)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            while true {
                if mkdtemp(buffer.baseAddress!) != nil { return true }
                if errno != EINTR { return false }
            }
        }
        guard made else { throw SystemError(call: "mkdtemp", path: parent, errno: errno) }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// `symlinkat(2)`: creates `name` pointing at `target`, which is never followed.
    public static func makeSymlink(_ name: [UInt8], target: [UInt8], in directory: FileDescriptor) throws(SystemError) {
        try withCString(target) { targetPath throws(SystemError) in
            try withCString(name) { path throws(SystemError) in
                _ = try SystemCall.retrying("symlinkat", path: display(name)) {
                    symlinkat(targetPath, directory.rawValue, path)
                }
            }
        }
    }

    /// `fchmod(2)`.
    public static func setPermissions(_ fd: FileDescriptor, _ permissions: UInt32) throws(SystemError) {
        _ = try SystemCall.retrying("fchmod") { fchmod(fd.rawValue, mode_t(permissions)) }
    }

    /// `futimens(2)`: sets the access and modification time of an open file to `seconds` after
    /// the epoch.
    public static func setTimes(_ fd: FileDescriptor, seconds: Int) throws(SystemError) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        _ = try SystemCall.retrying("futimens") { futimens(fd.rawValue, &times) }
    }

    /// `fsync(2)`.
    public static func sync(_ fd: FileDescriptor) throws(SystemError) {
        _ = try SystemCall.retrying("fsync") { fsync(fd.rawValue) }
    }

    /// `unlinkat(2)` of a file, symlink, or (with `directory: true`) an empty directory.
    public static func remove(_ name: [UInt8], in parent: FileDescriptor, isDirectory: Bool) throws(SystemError) {
        try withCString(name) { path throws(SystemError) in
            _ = try SystemCall.retrying("unlinkat", path: display(name)) {
                unlinkat(parent.rawValue, path, isDirectory ? AT_REMOVEDIR : 0)
            }
        }
    }

    /// Removes `name` and everything below it, making directories writable on the way; a
    /// missing `name` is not an error.
    public static func removeTree(_ name: [UInt8], in parent: FileDescriptor = currentDirectory) throws(SystemError) {
        let info: FileStatus
        do {
            info = try status(of: name, in: parent)
        } catch  where error.errno == ENOENT {
            return
        }
        guard info.kind == .directory else {
            try remove(name, in: parent, isDirectory: false)
            return
        }
        try withCString(name) { path throws(SystemError) in
            _ = try SystemCall.retrying("fchmodat", path: display(name)) { fchmodat(parent.rawValue, path, 0o700, 0) }
        }
        let directory = try openDirectory(name, in: parent)
        defer { close(directory) }
        for entry in try DirectoryListing.read(directory) {
            try removeTree(entry.name, in: directory)
        }
        try remove(name, in: parent, isDirectory: true)
    }

    /// `renameat2(2)` with `RENAME_NOREPLACE`: moves `name` to `newName`, failing with `EEXIST`
    /// instead of replacing anything.
    public static func renameNoReplace(
        _ name: [UInt8], in directory: FileDescriptor, to newName: [UInt8], in newDirectory: FileDescriptor
    ) throws(SystemError) {
        try withCString(name) { old throws(SystemError) in
            try withCString(newName) { new throws(SystemError) in
                _ = try SystemCall.retrying("renameat2", path: display(newName)) {
                    ckeel_renameat2(directory.rawValue, old, newDirectory.rawValue, new, CKEEL_RENAME_NOREPLACE)
                }
            }
        }
    }

    /// `renameat2(2)` with `RENAME_EXCHANGE`: swaps `name` and `newName` (both must exist) in
    /// one step, so a reader sees one or the other, never neither.
    public static func exchange(
        _ name: [UInt8], in directory: FileDescriptor, with newName: [UInt8], in newDirectory: FileDescriptor
    ) throws(SystemError) {
        try withCString(name) { old throws(SystemError) in
            try withCString(newName) { new throws(SystemError) in
                _ = try SystemCall.retrying("renameat2", path: display(newName)) {
                    ckeel_renameat2(directory.rawValue, old, newDirectory.rawValue, new, CKEEL_RENAME_EXCHANGE)
                }
            }
        }
    }

    /// `syncfs(2)`: makes every write on the file system holding `fd` durable.
    public static func syncFileSystem(_ fd: FileDescriptor) throws(SystemError) {
        _ = try SystemCall.retrying("syncfs") { ckeel_syncfs(fd.rawValue) }
    }
}
