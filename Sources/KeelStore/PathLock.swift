import Glibc
import KeelLinux
import SystemPackage

/// An exclusive lock on one store path, held through `<store>/<base>.lock` with `flock(2)`, the
/// protocol Nix uses (spec/nix-formats.md §9.4).
///
/// Releasing removes the file's name and then writes `d` into it, in Nix's order, so that a
/// process still waiting on the old file sees it is stale and starts over with a fresh one. A
/// locker holds the lock only when the file it locked is empty and still the one under the
/// name: a holder killed between the two steps leaves an empty file without a name, which its
/// waiters then find unnamed. A marked file still under its name (its deleter wrote the mark
/// first and died before unlinking) is removed by whoever locks it next, so no kill leaves a
/// name that nobody can lock.
public final class PathLock {
    private var fd: FileDescriptor?
    private let name: [UInt8]
    private let directory: FileDescriptor
    /// Keeps a shared `directory` open until this lock is released, when the lock has one.
    private var directoryHandle: StoreDirectoryHandle?

    /// Waits for the lock of `baseName` in the store directory open as `directory`; with
    /// `handle` (whose descriptor is `directory`), holds it until the lock is released.
    ///
    /// - Throws: `SystemError` when the lock file cannot be opened or locked, or holds data
    ///   that is not a lock's stale mark (it is not a lock file; it is left alone).
    init(baseName: String, in directory: FileDescriptor, keepingOpen handle: StoreDirectoryHandle? = nil)
        throws(SystemError)
    {
        self.directory = directory
        let name = Array((baseName + ".lock").utf8)
        while true {
            let fd = try FileSystem.openOrCreate(name, in: directory, permissions: 0o600)
            let held: Bool
            do throws(SystemError) {
                try FileSystem.lock(fd)
                held = try Self.holdsLock(fd, name: name, in: directory)
            } catch {
                FileSystem.close(fd)
                throw error
            }
            if held {
                self.fd = fd
                self.name = name
                directoryHandle = handle
                return
            }
            FileSystem.close(fd)
        }
    }

    /// Takes the lock only if nobody holds it.
    ///
    /// - Throws: `SystemError` as `init` does.
    static func attempt(baseName: String, in directory: FileDescriptor) throws(SystemError) -> PathLock? {
        let name = Array((baseName + ".lock").utf8)
        while true {
            let fd = try FileSystem.openOrCreate(name, in: directory, permissions: 0o600)
            let held: Bool
            do throws(SystemError) {
                guard try FileSystem.tryLock(fd) else {
                    FileSystem.close(fd)
                    return nil
                }
                held = try holdsLock(fd, name: name, in: directory)
            } catch {
                FileSystem.close(fd)
                throw error
            }
            if held { return PathLock(fd: fd, name: name, directory: directory) }
            FileSystem.close(fd)
        }
    }

    private init(fd: FileDescriptor, name: [UInt8], directory: FileDescriptor) {
        self.fd = fd
        self.name = name
        self.directory = directory
    }

    /// With the `flock` of `fd` (opened as `name`) held: whether that is the path's lock, the
    /// file empty and still under `name`. False, to start over, when its name is gone or names
    /// another file (its last holder released it), or when it is marked stale and still named:
    /// its name is removed first (only a holder of a lock file's lock removes its name, so the
    /// check and the removal cannot race).
    private static func holdsLock(_ fd: FileDescriptor, name: [UInt8], in directory: FileDescriptor)
        throws(SystemError) -> Bool
    {
        let held = try FileSystem.status(of: fd)
        guard let named = try? FileSystem.status(of: name, in: directory), named.inode == held.inode,
            named.device == held.device
        else { return false }
        if held.size == 0 { return true }
        guard held.size == 1, try FileSystem.read(fd, count: 1, at: 0) == [UInt8(ascii: "d")] else {
            throw SystemError(call: "flock", path: FileSystem.display(name), errno: EEXIST)
        }
        do throws(SystemError) { try FileSystem.remove(name, in: directory, isDirectory: false) } catch {
            // Removed by someone outside the protocol meanwhile (a collector, rm): start over.
            guard error.errno == ENOENT else { throw error }
        }
        return false
    }

    /// Whether the file `fd` of `size` bytes holds exactly the stale mark `d`.
    private static func isStaleMark(_ fd: FileDescriptor, size: UInt64) -> Bool {
        size == 1 && (try? FileSystem.read(fd, count: 1, at: 0)) == [UInt8(ascii: "d")]
    }

    /// Whether `name` is a lock file: `*.lock`, a regular file with its owner's write bit (lock
    /// files are made 0600) that is empty or holds the stale mark, rather than, say, a store path
    /// that happens to be named `….lock` (store files never have write bits).
    static func isLockFile(_ name: [UInt8], in directory: FileDescriptor) -> Bool {
        guard name.count > 5, name.suffix(5).elementsEqual(".lock".utf8),
            let status = try? FileSystem.status(of: name, in: directory),
            status.kind == .regular, status.permissions & 0o200 != 0
        else { return false }
        if status.size == 0 { return true }
        guard status.size == 1, let fd = try? FileSystem.openForReading(name, in: directory) else { return false }
        defer { FileSystem.close(fd) }
        return isStaleMark(fd, size: 1)
    }

    /// Removes a lock file nobody holds (left by a process that died): an empty one, or one
    /// marked stale whose deleter died before unlinking it. Anything else (not a lock file by
    /// `isLockFile`, or one byte that is not the mark) is left alone.
    static func removeIfAbandoned(_ name: [UInt8], in directory: FileDescriptor) {
        guard isLockFile(name, in: directory), let fd = try? FileSystem.openOrCreate(name, in: directory) else {
            return
        }
        defer { FileSystem.close(fd) }
        // Its name must still be this file: it may now belong to a newer lock file.
        guard (try? FileSystem.tryLock(fd)) == true, let held = try? FileSystem.status(of: fd),
            let named = try? FileSystem.status(of: name, in: directory), named.inode == held.inode,
            named.device == held.device
        else { return }
        if held.size == 0 {
            markRemoved(name, fd: fd, in: directory)
        } else if isStaleMark(fd, size: held.size) {
            try? FileSystem.remove(name, in: directory, isDirectory: false)
        }
    }

    /// Removes `name` and then marks its file `fd` (whose lock the caller holds) stale, in
    /// Nix's order. When the mark cannot be written (a full disk: one byte needs a block), the
    /// file is made one byte long instead, which needs none: a waiter that only looks at the
    /// size, as Nix's does, still sees it is stale.
    private static func markRemoved(_ name: [UInt8], fd: FileDescriptor, in directory: FileDescriptor) {
        try? FileSystem.remove(name, in: directory, isDirectory: false)
        let stale: [UInt8] = [UInt8(ascii: "d")]
        let written = stale.withUnsafeBytes { (try? SystemCall.writeAll(fd.rawValue, $0)) != nil }
        if !written { try? FileSystem.truncate(fd, to: 1) }
    }

    /// Removes the lock file, marks it stale, and releases the lock.
    public func release() {
        guard let fd else { return }
        Self.markRemoved(name, fd: fd, in: directory)
        FileSystem.close(fd)
        self.fd = nil
        directoryHandle = nil
    }

    deinit { release() }
}
