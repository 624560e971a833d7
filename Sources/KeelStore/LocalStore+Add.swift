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
    /// Whether the files are another tool's, registered where they were (`KeelBorrowed`).
    var borrowed = false
}

extension LocalStore {
    /// Adds the tree at `source` as a source path (the path `nix-store --add` gives it in this
    /// store directory) and returns it.
    ///
    /// When no valid path has the name, the content cannot be valid already, so the tree is
    /// copied at once, in one pass that hashes what it copies, and the copy is named after.
    /// Otherwise the tree is hashed first, on a background thread, so content already valid is
    /// not copied again: a tree of small files is copied only once its hash shows it is new; a
    /// tree of big files (`TreeHashProbe`) is copied beside the hash, since that copy waits on
    /// the disk, and the copy is dropped if the hash shows the path valid (the copy's own hash
    /// must then match the first). Either way the copy goes under a temporary name straight
    /// into its canonical form, is made durable (`TreeDurability`), renamed into place under
    /// the path's lock and registered in one transaction.
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
        // With no valid path of this name, the content cannot be valid already: copy it at once,
        // hashing what is copied, and name the copy after. Otherwise hash first, so that adding
        // content that is already valid copies nothing.
        if try !hasValidPath(named: name) { return try addUnhashed(source, name: name) }
        let probe = TreeHashProbe(path: source)
        defer { probe.stop() }
        switch probe.waitForHashOrBigFiles() {
        case .finished(let outcome):
            let hashed: TreeHashProbe.Hashed
            do { hashed = try outcome.get() } catch { throw Self.readFailure(error, of: source) }
            return try addNew(source, name: name, hash: hashed.hash)
        case .bigFiles:
            return try addWhileHashing(source, name: name, probe: probe)
        }
    }

    /// Adds `source`, whose NAR hash is known and whose path may already be valid.
    private func addNew(_ source: String, name: String, hash: NixHash) throws(StoreError) -> StorePath {
        let path = try sourcePath(hash: hash, name: name)
        if try isValid(path) { return path }
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        guard let (lock, temporary) = try lockForCreating(path, in: directory) else { return path }
        defer { lock.release() }
        let copied = try copyCanonically(source, to: temporary, in: directory, label: fullPath(path), stoppedBy: nil)!
        guard copied.hash == hash else {
            try? FileSystem.removeTree(temporary, in: directory)
            throw Self.changedWhileAdded(source)
        }
        let placed = try place(temporary, as: path, narHash: hash, in: directory)
        try registerSource(path, hash: hash, size: copied.size, placed: placed)
        return path
    }

    /// Adds `source`, no path of whose name is valid: copies it once under a staging name,
    /// hashing what is copied, then moves the copy into place under the path that hash gives.
    private func addUnhashed(_ source: String, name: String) throws(StoreError) -> StorePath {
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        let (stagingLock, temporary) = try lockStagingForAdd(in: directory)
        defer { stagingLock.release() }
        let label = layout.storeDirectory.path + "/" + String(decoding: temporary, as: UTF8.self)
        let copied = try copyCanonically(source, to: temporary, in: directory, label: label, stoppedBy: nil)!
        var handedOver = false
        defer { if !handedOver { try? FileSystem.removeTree(temporary, in: directory) } }
        let path = try sourcePath(hash: copied.hash, name: name)
        handedOver = true
        return try placeStaged(temporary, as: path, copied, in: directory)
    }

    /// Adds `source` by copying it while `probe` is still hashing it; the copy stops early if
    /// the hash shows the path valid. The copy is built under a temporary name of its own,
    /// held by a lock of that name (so `removeLeftovers` leaves it alone), since its path is
    /// not known until the hash is.
    private func addWhileHashing(_ source: String, name: String, probe: TreeHashProbe) throws(StoreError)
        -> StorePath
    {
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        let (stagingLock, temporary) = try lockStagingForAdd(in: directory)
        defer { stagingLock.release() }
        let alreadyValid = StopSignal()
        probe.whenFinished { [self] outcome in
            guard case .success(let hashed) = outcome, let path = try? sourcePath(hash: hashed.hash, name: name),
                (try? isValid(path)) == true
            else { return }
            alreadyValid.raise()
        }
        let label = layout.storeDirectory.path + "/" + String(decoding: temporary, as: UTF8.self)
        let copied = try copyCanonically(source, to: temporary, in: directory, label: label, stoppedBy: alreadyValid)
        var handedOver = copied == nil  // A stopped copy left nothing behind.
        defer { if !handedOver { try? FileSystem.removeTree(temporary, in: directory) } }
        let hashed: TreeHashProbe.Hashed
        do { hashed = try probe.result() } catch { throw Self.readFailure(error, of: source) }
        let path = try sourcePath(hash: hashed.hash, name: name)
        guard let copied else { return path }  // Stopped: the path is valid.
        guard copied.hash == hashed.hash else { throw Self.changedWhileAdded(source) }
        handedOver = true
        return try placeStaged(temporary, as: path, copied, in: directory)
    }

    /// Takes a fresh staging name for a copy whose path is not known yet; see `lockStaging`.
    private func lockStagingForAdd(in directory: FileDescriptor) throws(StoreError) -> (PathLock, [UInt8]) {
        do {
            return try Self.lockStaging("add-\(getpid())-\(UInt64.random(in: 0...UInt64.max))", in: directory)
        } catch {
            throw StoreError(.fileSystem, "cannot lock a temporary name in the store directory", cause: error)
        }
    }

    /// Moves the finished staged copy `temporary` into place as `path` (the path of its hash)
    /// and registers it; removes the copy instead when another process made `path` valid
    /// meanwhile, and on any failure.
    private func placeStaged(
        _ temporary: [UInt8], as path: StorePath, _ copied: TreeHashProbe.Hashed, in directory: FileDescriptor
    ) throws(StoreError) -> StorePath {
        let locked: (PathLock, [UInt8])?
        do { locked = try lockForCreating(path, in: directory) } catch {
            try? FileSystem.removeTree(temporary, in: directory)
            throw error
        }
        guard let (lock, _) = locked else {
            try? FileSystem.removeTree(temporary, in: directory)
            return path
        }
        defer { lock.release() }
        // `place` removes the copy if it fails.
        let placed = try place(temporary, as: path, narHash: copied.hash, in: directory)
        try registerSource(path, hash: copied.hash, size: copied.size, placed: placed)
        return path
    }

    /// Copies `source` into `temporary` in canonical form, hashing what it copies; nil (and
    /// nothing left behind) when `signal` stopped it.
    private func copyCanonically(
        _ source: String, to temporary: [UInt8], in directory: FileDescriptor, label: String,
        stoppedBy signal: StopSignal?
    ) throws(StoreError) -> TreeHashProbe.Hashed? {
        var visitor = StoppableVisitor(
            TreeRestorer(creating: temporary, in: directory, label: label, canonical: true),
            stoppedBy: signal ?? StopSignal())
        do {
            let (hash, size) = try TreeDumper.copy(path: source, into: &visitor)
            try visitor.base.commit()
            return TreeHashProbe.Hashed(hash: hash, size: size)
        } catch is TreeWalkStopped {
            visitor.base.abandon()
            return nil
        } catch let error as FileTreeError {
            visitor.base.abandon()
            throw StoreError(.badInput, error.description)
        } catch {
            visitor.base.abandon()
            throw StoreError(.fileSystem, "cannot copy '\(source)'", cause: UnderlyingError(error))
        }
    }

    private func sourcePath(hash: NixHash, name: String) throws(StoreError) -> StorePath {
        do {
            return try StorePathComputer(storeDirectory: layout.storeDirectory).sourcePath(narHash: hash, name: name)
        } catch { throw StoreError(.badInput, error.description) }
    }

    private func registerSource(_ path: StorePath, hash: NixHash, size: UInt64, placed: FinalName) throws(StoreError) {
        try register([
            NewPath(
                path: path, narHash: hash, narSize: size, references: [], deriver: nil,
                contentAddress: ContentAddress(method: .recursive, hash: hash),
                borrowed: placed == .matchingForeignEntry)
        ])
    }

    private static func changedWhileAdded(_ source: String) -> StoreError {
        StoreError(.badInput, "'\(source)' changed while it was being added; nothing was added")
    }

    /// A failure reading or copying `source`: bad input when it names a file of the tree
    /// (`FileTreeError`), a file-system failure otherwise.
    static func readFailure(_ error: any Error, of source: String) -> StoreError {
        if let error = error as? FileTreeError { return StoreError(.badInput, error.description) }
        return StoreError(.fileSystem, "cannot read '\(source)'", cause: UnderlyingError(error))
    }

    /// Takes `path`'s lock before creating it; returns nil (lock released) when another process
    /// made it valid meanwhile, else the held lock and the temporary name to build it under,
    /// cleared of anything an interrupted attempt left. What is under the final name is checked
    /// when the path is put in place (`place`).
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
        return (lock, temporary)
    }

    /// Takes the lock of the staging name `name` and returns it with the temporary name to build
    /// under (`.keel-tmp-<name>`), cleared of anything an earlier holder left; `removeLeftovers`
    /// leaves that tree alone while the lock is held.
    static func lockStaging(_ name: String, in directory: FileDescriptor) throws(SystemError) -> (PathLock, [UInt8]) {
        let lock = try PathLock(baseName: name, in: directory)
        let temporary = Array((Self.temporaryPrefix + name).utf8)
        try? FileSystem.removeTree(temporary, in: directory)
        return (lock, temporary)
    }

    /// Holds off garbage collection until the returned lock is released (builds hold it while
    /// they rely on their inputs); tells `noticeWaiting` when it has to wait for it.
    public func lockAgainstCollection(exclusive: Bool = false) throws(StoreError) -> GarbageCollectionLock {
        do { return try GarbageCollectionLock(root: layout.root, exclusive: exclusive, waiting: noticeWaiting) } catch {
            throw StoreError(.fileSystem, "cannot take the store's collection lock", cause: error)
        }
    }

    func hashTree(_ path: String) throws(StoreError) -> (NixHash, UInt64) {
        do { return try TreeDumper.hash(path: path) } catch { throw Self.readFailure(error, of: path) }
    }

    /// Makes `paths` valid in one transaction; each reference must be valid or among `paths`.
    func register(_ paths: [NewPath]) throws(StoreError) {
        let directory = layout.storeDirectory
        let now = Int64(Date().timeIntervalSince1970)
        try write { db in
            var ids: [String: Int64] = [:]
            for new in paths {
                let full = directory.fullPath(new.path)
                try db.execute(sql: "DELETE FROM KeelPending WHERE path = ?", arguments: [full])
                if let existing = try ValidPathRecord.find(full, in: db) {
                    ids[full] = existing.id
                    continue
                }
                if new.borrowed {
                    try db.execute(sql: "INSERT OR IGNORE INTO KeelBorrowed (path) VALUES (?)", arguments: [full])
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
}
