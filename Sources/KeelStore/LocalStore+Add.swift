import Foundation
import GRDB
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

/// A path ready to be registered: its files are complete, canonical and durable.
struct NewPath: Sendable {
    let path: StorePath
    let narHash: NixHash
    let narSize: UInt64
    let references: [StorePath]
    let deriver: StorePath?
    let contentAddress: ContentAddress?
}

extension LocalStore {
    /// Adds the tree at `source` as a source path (the path `nix-store --add` gives it in this
    /// store directory) and returns it.
    ///
    /// The tree is hashed first: content already valid is not copied again. Otherwise it is
    /// copied under a temporary name straight into its canonical form, hashed again as it is
    /// copied (the copy is what gets registered; small files are written on several threads),
    /// made durable (`TreeDurability`), renamed into place, and registered in one transaction,
    /// all under the path's lock.
    /// - Parameters:
    ///   - source: the tree to add.
    ///   - name: the store path name; defaults to the source's last component.
    /// - Throws: `StoreError`: `.badInput` for an invalid name, a special file or a source that
    ///   changed while it was added; `.fileSystem` or `.database` otherwise.
    @discardableResult
    public func add(_ source: String, name: String? = nil) throws(StoreError) -> StorePath {
        let trimmed = source.count > 1 && source.hasSuffix("/") ? String(source.dropLast()) : source
        let name = name ?? String(trimmed.split(separator: "/").last ?? Substring(trimmed))
        do { try StorePath.validateName(name) } catch { throw StoreError(.badInput, error.description) }
        let collectionLock = try lockAgainstCollection()
        defer { withExtendedLifetime(collectionLock) {} }
        let (hash, _) = try hashTree(source)
        let computer = StorePathComputer(storeDirectory: layout.storeDirectory)
        let path: StorePath
        do { path = try computer.sourcePath(narHash: hash, name: name) } catch {
            throw StoreError(.badInput, error.description)
        }
        if try isValid(path) { return path }

        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        guard let (lock, temporary) = try lockForCreating(path, in: directory) else { return path }
        defer { lock.release() }
        var restorer = TreeRestorer(creating: temporary, in: directory, label: fullPath(path), canonical: true)
        let copiedHash: NixHash
        let copiedSize: UInt64
        do {
            (copiedHash, copiedSize) = try TreeDumper.copy(path: source, into: &restorer)
            try restorer.commit()
        } catch let error as FileTreeError {
            restorer.abandon()
            throw StoreError(.badInput, error.description)
        } catch {
            restorer.abandon()
            throw StoreError(.fileSystem, "cannot copy '\(source)'", cause: UnderlyingError(error))
        }
        guard copiedHash == hash else {
            try? FileSystem.removeTree(temporary, in: directory)
            throw StoreError(.badInput, "'\(source)' changed while it was being added; nothing was added")
        }
        try makeDurable(temporary, as: path, in: directory)
        try register([
            NewPath(
                path: path, narHash: hash, narSize: copiedSize, references: [], deriver: nil,
                contentAddress: ContentAddress(method: .recursive, hash: hash))
        ])
        return path
    }

    /// Takes `path`'s lock before creating it; returns nil (lock released) when another process
    /// made it valid meanwhile, else the held lock and the temporary name to build it under,
    /// cleared of anything an interrupted attempt left.
    func lockForCreating(_ path: StorePath, in directory: FileDescriptor) throws(StoreError) -> (PathLock, [UInt8])? {
        let lock: PathLock
        do { lock = try PathLock(baseName: path.baseName, in: directory) } catch {
            throw StoreError(.fileSystem, "cannot lock '\(fullPath(path))'", cause: error)
        }
        if try isValid(path) {
            lock.release()
            return nil
        }
        let temporary = Array("\(Self.temporaryPrefix)\(path.baseName)".utf8)
        try? FileSystem.removeTree(temporary, in: directory)
        try? FileSystem.removeTree(Array(path.baseName.utf8), in: directory)
        return (lock, temporary)
    }

    /// Holds off garbage collection until the returned lock is released (builds hold it while
    /// they rely on their inputs).
    public func lockAgainstCollection(exclusive: Bool = false) throws(StoreError) -> GarbageCollectionLock {
        do { return try GarbageCollectionLock(root: layout.root, exclusive: exclusive) } catch {
            throw StoreError(.fileSystem, "cannot take the store's collection lock", cause: error)
        }
    }

    func hashTree(_ path: String) throws(StoreError) -> (NixHash, UInt64) {
        do { return try TreeDumper.hash(path: path) } catch let error as FileTreeError {
            throw StoreError(.badInput, error.description)
        } catch {
            throw StoreError(.fileSystem, "cannot read '\(path)'", cause: UnderlyingError(error))
        }
    }

    /// Makes the finished tree durable (`TreeDurability`), renames it into place and flushes the
    /// rename.
    func makeDurable(_ temporary: [UInt8], as path: StorePath, in directory: FileDescriptor) throws(StoreError) {
        do {
            try TreeDurability.sync(temporary, in: directory)
            try FileSystem.renameNoReplace(temporary, in: directory, to: Array(path.baseName.utf8), in: directory)
            try FileSystem.sync(directory)
        } catch {
            try? FileSystem.removeTree(temporary, in: directory)
            throw StoreError(.fileSystem, "cannot move '\(fullPath(path))' into place", cause: error)
        }
    }

    /// Makes `paths` valid in one transaction; each reference must be valid or among `paths`.
    func register(_ paths: [NewPath]) throws(StoreError) {
        let directory = layout.storeDirectory
        let now = Int64(Date().timeIntervalSince1970)
        try write { db in
            var ids: [String: Int64] = [:]
            for new in paths {
                let full = directory.fullPath(new.path)
                if let existing = try ValidPathRecord.filter(Column("path") == full).fetchOne(db) {
                    ids[full] = existing.id
                    continue
                }
                var record = ValidPathRecord(
                    id: nil, path: full, hash: new.narHash.prefixed(.base16), registrationTime: now,
                    deriver: new.deriver.map(directory.fullPath), narSize: Int64(new.narSize), ultimate: nil,
                    sigs: nil, ca: new.contentAddress?.description)
                try record.insert(db)
                ids[full] = record.id
            }
            for new in paths {
                let referrer = ids[directory.fullPath(new.path)]!
                for reference in new.references {
                    let full = directory.fullPath(reference)
                    let id: Int64
                    if let known = ids[full] {
                        id = known
                    } else if let found = try Int64.fetchOne(
                        db, sql: "SELECT id FROM ValidPaths WHERE path = ?", arguments: [full])
                    {
                        id = found
                    } else {
                        throw StoreError(
                            .badInput, "'\(directory.fullPath(new.path))' refers to '\(full)', which is not valid")
                    }
                    try ReferenceRecord(referrer: referrer, reference: id).insert(db, onConflict: .ignore)
                }
            }
        }
    }

    /// Removes what interrupted work left in the store directory: temporary trees, and paths on
    /// disk that were never registered, unless another process is working on them right now.
    func removeLeftovers() throws(StoreError) {
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        let entries: [DirectoryEntry]
        do { entries = try DirectoryListing.read(directory) } catch {
            throw StoreError(.fileSystem, "cannot list the store directory", cause: error)
        }
        let prefix = Array(Self.temporaryPrefix.utf8)
        // One query for every valid name, rather than one per directory entry.
        let validNames: Set<String> = try read { db in
            Set(
                try String.fetchAll(db, sql: "SELECT path FROM ValidPaths").map {
                    String($0.split(separator: "/").last ?? "")
                })
        }
        for entry in entries {
            let text = String(decoding: entry.name, as: UTF8.self)
            if text.hasSuffix(".lock") {
                PathLock.removeIfAbandoned(entry.name, in: directory)
                continue
            }
            let baseName: String
            if entry.name.starts(with: prefix) {
                baseName = String(text.dropFirst(Self.temporaryPrefix.count))
            } else if let path = try? StorePath(baseName: text) {
                if validNames.contains(path.baseName) { continue }
                baseName = path.baseName
            } else {
                continue
            }
            guard let lock = try? PathLock.attempt(baseName: baseName, in: directory) else { continue }
            // The path may have been registered (and its lock released) since the names were read.
            if !entry.name.starts(with: prefix), let path = try? StorePath(baseName: baseName), try isValid(path) {
                lock.release()
                continue
            }
            try? FileSystem.removeTree(entry.name, in: directory)
            lock.release()
        }
    }
}
