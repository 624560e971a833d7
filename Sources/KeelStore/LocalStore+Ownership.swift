import GRDB
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// What is under a path's final name in the store directory before Keel puts the path there.
enum FinalName {
    /// Nothing: the path can be renamed into place.
    case free
    /// Another tool's entry with exactly the expected content, canonical: it is registered
    /// where it is (as a borrowed path) instead of being replaced.
    case matchingForeignEntry
}

extension LocalStore {
    /// Opens the claim of the store directory for the database `database` (see `StoreClaim`):
    /// checks the marker, or writes it when the directory holds nothing another tool made, or
    /// when `adopt` is set. Returns the entries of other tools found when the claim was written
    /// (empty when the directory was claimed already).
    ///
    /// - Throws: `StoreError.Code.badInput` when another Keel root claims the directory, or
    ///   when it holds entries this root did not make and `adopt` is not set.
    static func establishClaim(layout: StoreLayout, database: DatabasePool, adopt: Bool) throws(StoreError)
        -> [String]
    {
        let storePath = layout.storeDirectory.path
        let directory: FileDescriptor
        do { directory = try FileSystem.openDirectory(Array(storePath.utf8)) } catch {
            throw StoreError(.fileSystem, "cannot open the store directory '\(storePath)'", cause: error)
        }
        defer { FileSystem.close(directory) }
        let label = storePath + "/" + StoreClaim.fileName
        let identity: String
        let validNames: Set<String>
        do {
            identity = try database.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM KeelIdentity") ?? ""
            }
        } catch {
            throw StoreError(.database, "cannot read the store database's identity", cause: UnderlyingError(error))
        }
        if let claim = try StoreClaim.read(in: directory, label: label) {
            try check(claim, identity: identity, layout: layout)
            return []
        }
        let entries: [DirectoryEntry]
        do {
            entries = try DirectoryListing.read(directory)
            validNames = try database.read { db in
                Set(
                    try String.fetchAll(db, sql: "SELECT path FROM ValidPaths").map {
                        String($0.split(separator: "/").last ?? "")
                    })
            }
        } catch let error as SystemError {
            throw StoreError(.fileSystem, "cannot list the store directory '\(storePath)'", cause: error)
        } catch {
            throw StoreError(.database, "store database read failed", cause: UnderlyingError(error))
        }
        let foreign = entries.map { String(decoding: $0.name, as: UTF8.self) }.filter {
            !StoreClaim.isHousekeeping($0, in: directory) && !validNames.contains($0)
        }.sorted()
        if !foreign.isEmpty && !adopt { throw refusal(storePath, foreign: foreign, usedBefore: !validNames.isEmpty) }
        let claim = StoreClaim(identity: identity, databasePath: layout.databasePath)
        if let earlier = try claim.write(in: directory, label: label) {
            try check(earlier, identity: identity, layout: layout)  // Another process claimed it first.
        }
        return foreign
    }

    /// Accepts `claim` when it names the database `identity`, else says whose the directory is.
    private static func check(_ claim: StoreClaim, identity: String, layout: StoreLayout) throws(StoreError) {
        if claim.identity == identity { return }
        let storePath = layout.storeDirectory.path
        if claim.databasePath == layout.databasePath {
            throw StoreError(
                .badInput,
                "the store directory '\(storePath)' was claimed by an earlier database at this root's own path ('\(claim.databasePath)'), which has been replaced since; what that database registered is no longer known here. If it is gone for good, remove '\(storePath)/\(StoreClaim.fileName)' and run 'keel store adopt' (the paths it made then stay as another tool's), or give this root a new store directory (--store-dir)"
            )
        }
        throw StoreError(
            .badInput,
            "the store directory '\(storePath)' belongs to another Keel root (its database: \(claim.databasePath)); use that root (--root), or give this root a store directory of its own (--store-dir)"
        )
    }

    /// The error for a store directory that holds `foreign` entries and is not claimed: says
    /// whose it looks like and what to do instead. `usedBefore`: this root has valid paths
    /// there, from before Keel claimed store directories.
    private static func refusal(_ storePath: String, foreign: [String], usedBefore: Bool) -> StoreError {
        let parent = storePath.split(separator: "/").dropLast().map { "/" + $0 }.joined()
        let nixDatabase = parent + "/var/nix/db/db.sqlite"
        let owner: String
        if (try? FileSystem.status(of: Array(nixDatabase.utf8))) != nil {
            owner = "Nix's store (its database is \(nixDatabase))"
        } else if foreign.contains(where: { (try? StorePath(baseName: $0)) != nil }) {
            owner = "store paths another tool made (a Nix store?)"
        } else {
            owner = "another program's files"
        }
        let count = foreign.count == 1 ? "1 entry" : "\(foreign.count) entries"
        if usedBefore {
            return StoreError(
                .badInput,
                "the store directory '\(storePath)' holds this root's paths and \(count) it did not register (such as '\(foreign[0])'), and no claim: this root used it before Keel claimed store directories. The others may be leftovers of keel runs interrupted then, or another tool's: remove what you know is not needed, or share the directory with 'keel store adopt' (Keel then never deletes or rewrites them)"
            )
        }
        return StoreError(
            .badInput,
            "the store directory '\(storePath)' holds \(count) this Keel root did not make (such as '\(foreign[0])'): it looks like \(owner). Keel uses only a store directory it owns: give this root one of its own (--store-dir; the default is ROOT/store), copy paths in with 'nix-store --export PATHS | keel store import', or share this directory with 'keel store adopt' (Keel then never deletes or rewrites what it did not make)"
        )
    }

    /// The full paths of the valid paths whose files belong to another tool (`KeelBorrowed`).
    package func borrowedPaths() throws(StoreError) -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT path FROM KeelBorrowed")) }
    }

    /// Checks what is under `path`'s final name before Keel puts it there; the caller holds the
    /// path's lock and knows the NAR hash the path must have.
    ///
    /// An entry Keel left there itself (recorded as pending, with the same identity) is removed.
    /// Another tool's entry is never removed or rewritten: when it holds exactly `narHash` in
    /// canonical form it is made durable and can be registered where it is, otherwise the
    /// operation is refused, naming it.
    func prepareFinalName(_ path: StorePath, narHash: NixHash, in directory: FileDescriptor) throws(StoreError)
        -> FinalName
    {
        let name = Array(path.baseName.utf8)
        let full = fullPath(path)
        let current: EntryIdentity
        do { current = try FileSystem.identity(of: name, in: directory) } catch let error where error.errno == ENOENT {
            return .free
        } catch {
            throw StoreError(.fileSystem, "cannot inspect '\(full)'", cause: error)
        }
        if let recorded = try pendingIdentity(of: path) {
            if recorded == current {
                do { try FileSystem.removeTree(name, in: directory) } catch {
                    throw StoreError(.fileSystem, "cannot remove the unfinished '\(full)'", cause: error)
                }
                try forgetPending([full])
                return .free
            }
            try forgetPending([full])  // What Keel left there is gone; this entry is another's.
        }
        let hashed: NixHash
        do { hashed = try TreeDumper.hash(path: full).0 } catch {
            throw StoreError(
                .fileSystem,
                "cannot read '\(full)', which is in the store directory but not valid in this store and was not made by Keel",
                cause: UnderlyingError(error))
        }
        guard hashed == narHash else {
            throw StoreError(
                .badInput,
                "'\(full)' is already in the store directory, is not valid in this store and was not made by Keel (another tool's build or copy of it?), and its content is not the expected one; Keel does not delete or rewrite another tool's files: remove it yourself if nothing needs it"
            )
        }
        guard Self.isCanonical(name, in: directory) else {
            throw StoreError(
                .badInput,
                "'\(full)' is already in the store directory with the expected content but not in canonical form (read-only, mtime 1), and was not made by Keel; Keel does not rewrite another tool's files: remove it yourself if nothing needs it"
            )
        }
        do { try TreeDurability.sync(name, in: directory) } catch {
            throw StoreError(.fileSystem, "cannot make '\(full)' durable", cause: UnderlyingError(error))
        }
        return .matchingForeignEntry
    }

    /// Whether the tree `name` in `parent` is in canonical form: no write bits, no setuid,
    /// setgid or sticky bits, mtime 1 (what Nix and Keel leave in a store).
    static func isCanonical(_ name: [UInt8], in parent: FileDescriptor) -> Bool {
        guard let info = try? FileSystem.status(of: name, in: parent) else { return false }
        switch info.kind {
        case .symlink:
            return true
        case .regular:
            return info.modificationTime == 1 && (info.permissions == 0o444 || info.permissions == 0o555)
        case .directory:
            guard info.modificationTime == 1, info.permissions == 0o555,
                let directory = try? FileSystem.openDirectory(name, in: parent)
            else { return false }
            defer { FileSystem.close(directory) }
            guard let entries = try? DirectoryListing.read(directory) else { return false }
            return entries.allSatisfy { isCanonical($0.name, in: directory) }
        default:
            return false
        }
    }

    /// Puts the finished, canonical tree `temporary` in place as `path`: made durable
    /// (`TreeDurability`), recorded as pending, renamed into place, the rename flushed. When
    /// another tool's entry with exactly this content is there already, the tree is dropped and
    /// the entry is kept; the result says which (`register` must know it). The caller holds the
    /// path's lock. On failure the temporary tree is removed.
    func place(_ temporary: [UInt8], as path: StorePath, narHash: NixHash, in directory: FileDescriptor)
        throws(StoreError) -> FinalName
    {
        let finalName: FinalName
        do { finalName = try prepareFinalName(path, narHash: narHash, in: directory) } catch {
            try? FileSystem.removeTree(temporary, in: directory)
            throw error
        }
        if finalName == .matchingForeignEntry {
            try? FileSystem.removeTree(temporary, in: directory)
            return finalName
        }
        var recorded = false
        do {
            try TreeDurability.sync(temporary, in: directory)
            try recordPending([(path, try identity(of: temporary, in: directory))])
            recorded = true
            try FileSystem.renameNoReplace(temporary, in: directory, to: Array(path.baseName.utf8), in: directory)
            recorded = false  // In place: the row now names Keel's tree there, until `register`.
            try FileSystem.sync(directory)
        } catch let error as StoreError {
            try? FileSystem.removeTree(temporary, in: directory)
            if recorded { try? forgetPending([fullPath(path)]) }
            throw error
        } catch {
            try? FileSystem.removeTree(temporary, in: directory)
            if recorded { try? forgetPending([fullPath(path)]) }
            throw StoreError(.fileSystem, "cannot move '\(fullPath(path))' into place", cause: UnderlyingError(error))
        }
        return .free
    }
}
