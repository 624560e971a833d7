import KeelLinux
import SystemPackage

/// An exclusive lock on one store path, held through `<store>/<base>.lock` with `flock(2)`, the
/// protocol Nix uses (spec/nix-formats.md §9.4): a lock file that holds data is stale (its
/// deleter wrote `d` before unlinking it), so the locker retries with a fresh file. A stale file
/// still under its name means its deleter died between the two steps; the next locker finishes
/// the removal, so a kill at any instant never leaves a name that nobody can lock.
public final class PathLock {
    private var fd: FileDescriptor?
    private let name: [UInt8]
    private let directory: FileDescriptor
    private let ownsDirectory: Bool

    /// Waits for the lock of `baseName` in the store directory open as `directory`; with
    /// `ownsDirectory`, the lock closes `directory` when it is released (the caller closes it
    /// when the initializer throws).
    init(baseName: String, in directory: FileDescriptor, ownsDirectory: Bool = false) throws(SystemError) {
        self.directory = directory
        self.ownsDirectory = ownsDirectory
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
                Self.finishRemoval(name, of: fd, in: directory)
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
        while true {
            let fd = try FileSystem.openOrCreate(name, in: directory, permissions: 0o600)
            let locked: Bool
            do throws(SystemError) {
                locked = try FileSystem.tryLock(fd) ? FileSystem.status(of: fd).size == 0 : false
            } catch {
                FileSystem.close(fd)
                throw error
            }
            if locked { return PathLock(fd: fd, name: name, directory: directory) }
            // Held by someone else, or stale: only a stale file removed here is worth a retry.
            let retry = Self.finishRemoval(name, of: fd, in: directory)
            FileSystem.close(fd)
            if !retry { return nil }
        }
    }

    /// Removes `name` when it still names the stale lock file `fd`, whose lock the caller holds
    /// (its deleter marked it and died before unlinking it); true when it did. Only the holder
    /// of a lock file's lock ever unlinks its name, so the check and the removal cannot race.
    @discardableResult
    private static func finishRemoval(_ name: [UInt8], of fd: FileDescriptor, in directory: FileDescriptor) -> Bool {
        guard let held = try? FileSystem.status(of: fd), held.size != 0,
            let named = try? FileSystem.status(of: name, in: directory), named.inode == held.inode,
            (try? FileSystem.tryLock(fd)) == true
        else { return false }
        return (try? FileSystem.remove(name, in: directory, isDirectory: false)) != nil
    }

    private init(fd: FileDescriptor, name: [UInt8], directory: FileDescriptor) {
        self.fd = fd
        self.name = name
        self.directory = directory
        self.ownsDirectory = false
    }

    /// Whether `name` is a lock file: `*.lock`, a regular file with its owner's write bit (lock
    /// files are made 0600) that is empty or holds the one-byte stale mark, rather than, say, a
    /// store path that happens to be named `….lock` (store files never have write bits).
    static func isLockFile(_ name: [UInt8], in directory: FileDescriptor) -> Bool {
        guard name.count > 5, name.suffix(5).elementsEqual(".lock".utf8),
            let status = try? FileSystem.status(of: name, in: directory)
        else { return false }
        return status.kind == .regular && status.permissions & 0o200 != 0 && status.size <= 1
    }

    /// Removes a lock file nobody holds (left by a process that died); anything that is not a
    /// lock file (`isLockFile`) is left alone.
    static func removeIfAbandoned(_ name: [UInt8], in directory: FileDescriptor) {
        guard isLockFile(name, in: directory), let fd = try? FileSystem.openOrCreate(name, in: directory) else {
            return
        }
        defer { FileSystem.close(fd) }
        guard (try? FileSystem.tryLock(fd)) == true, let held = try? FileSystem.status(of: fd),
            let named = try? FileSystem.status(of: name, in: directory), named.inode == held.inode
        else { return }
        // Marked stale and still named: its deleter died before unlinking it.
        if held.size == 1, (try? FileSystem.read(fd, count: 1, at: 0)) == [UInt8(ascii: "d")] {
            try? FileSystem.remove(name, in: directory, isDirectory: false)
            return
        }
        guard held.size == 0 else { return }
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
        if ownsDirectory { FileSystem.close(directory) }
        self.fd = nil
    }

    deinit { release() }
}
