import GRDB
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

extension LocalStore {
    /// Removes what interrupted work left in the store directory, and only that: Keel's
    /// temporary trees (`.keel-tmp-*`), lock files nobody holds, and the entries recorded in
    /// `KeelPending` that never became valid (or whose rows a collection removed) and are still
    /// the very trees Keel recorded (`EntryIdentity`), unless another process is working on
    /// them right now. Everything else (another tool's entries, whatever their names) is left
    /// alone.
    func removeLeftovers() throws(StoreError) {
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        let entries: [DirectoryEntry]
        do { entries = try DirectoryListing.read(directory) } catch {
            throw StoreError(.fileSystem, "cannot list the store directory", cause: error)
        }
        let prefix = Array(Self.temporaryPrefix.utf8)
        for entry in entries {
            if entry.name.starts(with: prefix) {
                let baseName = String(decoding: entry.name.dropFirst(prefix.count), as: UTF8.self)
                guard let lock = try? PathLock.attempt(baseName: baseName, in: directory) else { continue }
                try? FileSystem.removeTree(entry.name, in: directory)
                lock.release()
            } else {
                // A lock file nobody holds carries no data; removing it is part of the locking
                // protocol Keel shares with Nix (whose collector removes them too). Anything
                // else is left alone.
                PathLock.removeIfAbandoned(entry.name, in: directory)
            }
        }
        try settlePending(in: directory)
    }

    /// Goes through `KeelPending`: removes each recorded entry that is not valid and is still
    /// the tree Keel recorded, and forgets the rows of paths that are valid, gone, or now
    /// another tool's; skips paths another process holds the lock of. The rows are forgotten
    /// while their locks are held, so no add can start on a path in between.
    func settlePending(in directory: FileDescriptor) throws(StoreError) {
        var locks: [PathLock] = []
        defer { for lock in locks { lock.release() } }
        var settled: [String] = []
        for (full, recorded) in try pendingPaths() {
            guard let path = try? layout.storeDirectory.parse(full) else {
                settled.append(full)
                continue
            }
            guard let lock = try? PathLock.attempt(baseName: path.baseName, in: directory) else { continue }
            locks.append(lock)
            if try isValid(path) {
                settled.append(full)
                continue
            }
            let name = Array(path.baseName.utf8)
            if let current = try? FileSystem.identity(of: name, in: directory), current == recorded {
                try? FileSystem.removeTree(name, in: directory)
                if (try? FileSystem.status(of: name, in: directory)) != nil { continue }  // Retry next time.
            }
            settled.append(full)
        }
        try forgetPending(settled)
    }

    /// Records `entries` (paths and the identity of the tree under, or about to be renamed to,
    /// their final names) as pending, so that a crash before they are registered leaves trees
    /// the leftover cleanup can prove are Keel's.
    package func recordPending(_ entries: [(StorePath, EntryIdentity)]) throws(StoreError) {
        guard !entries.isEmpty else { return }
        let rows = entries.map { (fullPath($0.0), Int64(bitPattern: $0.1.inode), $0.1.birthNanoseconds) }
        try write { db in
            for (path, inode, birth) in rows {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO KeelPending (path, inode, birth) VALUES (?, ?, ?)",
                    arguments: [path, inode, birth])
            }
        }
    }

    /// The pending full paths and the identities recorded for them.
    package func pendingPaths() throws(StoreError) -> [String: EntryIdentity] {
        try read { db in
            var result: [String: EntryIdentity] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, inode, birth FROM KeelPending") {
                let inode: Int64 = row["inode"]
                result[row["path"]] = EntryIdentity(inode: UInt64(bitPattern: inode), birthNanoseconds: row["birth"])
            }
            return result
        }
    }

    /// The identity recorded for `path` in `KeelPending`, if it is pending.
    func pendingIdentity(of path: StorePath) throws(StoreError) -> EntryIdentity? {
        let full = fullPath(path)
        return try read { db in
            try Row.fetchOne(db, sql: "SELECT inode, birth FROM KeelPending WHERE path = ?", arguments: [full]).map {
                row in
                let inode: Int64 = row["inode"]
                return EntryIdentity(inode: UInt64(bitPattern: inode), birthNanoseconds: row["birth"])
            }
        }
    }

    /// Forgets the `KeelPending` rows of `paths` (full paths).
    func forgetPending(_ paths: [String]) throws(StoreError) {
        guard !paths.isEmpty else { return }
        let names = JSONArgument.array(paths)
        try write { db in
            try db.execute(
                sql: "DELETE FROM KeelPending WHERE path IN (SELECT value FROM json_each(?))", arguments: [names])
        }
    }

    /// The identity of the entry `name` in the store directory, for `recordPending`.
    func identity(of name: [UInt8], in directory: FileDescriptor) throws(StoreError) -> EntryIdentity {
        do { return try FileSystem.identity(of: name, in: directory) } catch {
            throw StoreError(
                .fileSystem, "cannot inspect '\(FileSystem.display(name))' in the store directory", cause: error)
        }
    }
}
