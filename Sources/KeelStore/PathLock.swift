import KeelLinux
import SystemPackage

/// An exclusive lock on one store path, held through `<store>/<base>.lock` with `flock(2)`, the
/// protocol Nix uses (spec/nix-formats.md §9.4): a lock file that holds data is stale (its
/// deleter wrote `d` before unlinking it), so the locker retries with a fresh file.
public final class PathLock {
    private var fd: FileDescriptor?
    private let name: [UInt8]
    private let directory: FileDescriptor

    /// Waits for the lock of `baseName` in the store directory open as `directory`.
    init(baseName: String, in directory: FileDescriptor) throws(SystemError) {
        self.directory = directory
        let name = Array((baseName + ".lock").utf8)
        while true {
            let fd = try FileSystem.openOrCreate(name, in: directory, permissions: 0o600)
            do {
                try FileSystem.lock(fd)
                if try FileSystem.status(of: fd).size == 0 {
                    self.fd = fd
                    self.name = name
                    return
                }
            } catch {
                FileSystem.close(fd)
                throw error
            }
            FileSystem.close(fd)
        }
    }

    /// Takes the lock only if nobody holds it.
    static func attempt(baseName: String, in directory: FileDescriptor) throws(SystemError) -> PathLock? {
        let name = Array((baseName + ".lock").utf8)
        let fd = try FileSystem.openOrCreate(name, in: directory, permissions: 0o600)
        guard try FileSystem.tryLock(fd), try FileSystem.status(of: fd).size == 0 else {
            FileSystem.close(fd)
            return nil
        }
        return PathLock(fd: fd, name: name, directory: directory)
    }

    private init(fd: FileDescriptor, name: [UInt8], directory: FileDescriptor) {
        self.fd = fd
        self.name = name
        self.directory = directory
    }

    /// Whether `name` is a lock file: `*.lock`, an empty regular file with its owner's write bit
    /// (lock files are made 0600), rather than, say, a store path that happens to be named
    /// `….lock` (store files never have write bits).
    static func isLockFile(_ name: [UInt8], in directory: FileDescriptor) -> Bool {
        guard name.count > 5, name.suffix(5).elementsEqual(".lock".utf8),
            let status = try? FileSystem.status(of: name, in: directory)
        else { return false }
        return status.kind == .regular && status.permissions & 0o200 != 0 && status.size == 0
    }

    /// Removes a lock file nobody holds (left by a process that died); anything that is not a
    /// lock file (`isLockFile`) is left alone.
    static func removeIfAbandoned(_ name: [UInt8], in directory: FileDescriptor) {
        guard isLockFile(name, in: directory), let fd = try? FileSystem.openOrCreate(name, in: directory) else {
            return
        }
        defer { FileSystem.close(fd) }
        guard (try? FileSystem.tryLock(fd)) == true else { return }
        // A file that already holds data was unlinked by its last holder; its name may now
        // belong to a newer lock file, which must not be removed.
        guard let held = try? FileSystem.status(of: fd), held.size == 0,
            let named = try? FileSystem.status(of: name, in: directory), named.inode == held.inode
        else { return }
        let stale: [UInt8] = [UInt8(ascii: "d")]
        stale.withUnsafeBytes { _ = try? SystemCall.writeAll(fd.rawValue, $0) }
        try? FileSystem.remove(name, in: directory, isDirectory: false)
    }

    /// Marks the lock file stale, removes it, and releases the lock.
    public func release() {
        guard let fd else { return }
        let stale: [UInt8] = [UInt8(ascii: "d")]
        stale.withUnsafeBytes { _ = try? SystemCall.writeAll(fd.rawValue, $0) }
        try? FileSystem.remove(name, in: directory, isDirectory: false)
        FileSystem.close(fd)
        self.fd = nil
    }

    deinit { release() }
}
