import CKeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension FileSystem {
    /// `flock(2)`: takes an exclusive (or shared) lock on `fd`, waiting for it.
    public static func lock(_ fd: FileDescriptor, exclusive: Bool = true) throws(SystemError) {
        _ = try SystemCall.retrying("flock") { flock(fd.rawValue, exclusive ? LOCK_EX : LOCK_SH) }
    }

    /// `flock(2)` without waiting: true when the lock was taken, false when another holds it.
    public static func tryLock(_ fd: FileDescriptor, exclusive: Bool = true) throws(SystemError) -> Bool {
        while true {
            if flock(fd.rawValue, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return true }
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK { return false }
            throw SystemError(call: "flock", errno: code)
        }
    }

    /// Opens (creating if needed) a file for locking or appending.
    public static func openOrCreate(
        _ name: [UInt8], in directory: FileDescriptor = currentDirectory, permissions: UInt32 = 0o600
    )
        throws(SystemError) -> FileDescriptor
    {
        let fd = try withCString(name) { path throws(SystemError) in
            try SystemCall.retrying("openat", path: display(name)) {
                openat(directory.rawValue, path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode_t(permissions))
            }
        }
        return FileDescriptor(rawValue: fd)
    }

    /// `fchmodat(2)` of an entry (never a symlink: Linux cannot change a link's mode).
    public static func setPermissions(_ name: [UInt8], in directory: FileDescriptor, _ permissions: UInt32)
        throws(SystemError)
    {
        try withCString(name) { path throws(SystemError) in
            _ = try SystemCall.retrying("fchmodat", path: display(name)) {
                fchmodat(directory.rawValue, path, mode_t(permissions), 0)
            }
        }
    }

    /// `utimensat(2)` without following symlinks: sets access and modification time to
    /// `seconds` after the epoch.
    public static func setTimes(_ name: [UInt8], in directory: FileDescriptor, seconds: Int) throws(SystemError) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        try withCString(name) { path throws(SystemError) in
            _ = try SystemCall.retrying("utimensat", path: display(name)) {
                utimensat(directory.rawValue, path, &times, AT_SYMLINK_NOFOLLOW)
            }
        }
    }

    /// Copies every byte of `source` to `destination` in the kernel (`copy_file_range(2)`,
    /// falling back to read and write).
    public static func copyContents(from source: FileDescriptor, to destination: FileDescriptor, size: UInt64)
        throws(SystemError)
    {
        var remaining = size
        while remaining > 0 {
            let chunk = Int(min(remaining, 1 << 30))
            let copied = ckeel_copy_file_range(source.rawValue, destination.rawValue, UInt(chunk))
            if copied > 0 {
                remaining -= UInt64(copied)
                continue
            }
            if copied == 0 { throw SystemError(call: "copy_file_range", errno: EIO) }
            let code = errno
            if code == EINTR { continue }
            if code == EXDEV || code == ENOSYS || code == EINVAL || code == EOPNOTSUPP {
                try copyByReading(from: source, to: destination, remaining: remaining)
                return
            }
            throw SystemError(call: "copy_file_range", errno: code)
        }
    }

    private static func copyByReading(from source: FileDescriptor, to destination: FileDescriptor, remaining: UInt64)
        throws(SystemError)
    {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var left = remaining
        while left > 0 {
            let count = try SystemCall.read(source.rawValue, into: buffer)
            if count == 0 { throw SystemError(call: "read", errno: EIO) }
            try SystemCall.writeAll(destination.rawValue, UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            left -= UInt64(min(UInt64(count), left))
        }
    }
}

extension FileSystem {
    /// `linkat(2)`: makes `newName` in `newDirectory` another name of `name` in `directory`.
    public static func link(
        _ name: [UInt8], in directory: FileDescriptor, as newName: [UInt8], in newDirectory: FileDescriptor
    ) throws(SystemError) {
        try withCString(name) { old throws(SystemError) in
            try withCString(newName) { new throws(SystemError) in
                _ = try SystemCall.retrying("linkat", path: display(newName)) {
                    linkat(directory.rawValue, old, newDirectory.rawValue, new, 0)
                }
            }
        }
    }

    /// `renameat(2)`: moves `name` to `newName`, replacing what is there.
    public static func rename(
        _ name: [UInt8], in directory: FileDescriptor, to newName: [UInt8], in newDirectory: FileDescriptor
    ) throws(SystemError) {
        try withCString(name) { old throws(SystemError) in
            try withCString(newName) { new throws(SystemError) in
                _ = try SystemCall.retrying("renameat", path: display(newName)) {
                    renameat(directory.rawValue, old, newDirectory.rawValue, new)
                }
            }
        }
    }
}
