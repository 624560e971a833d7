import Foundation
import GRDB
import GRDBSQLite
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

/// The local store: a store directory of immutable, canonical paths plus the SQLite database
/// that says which of them are valid and what they refer to.
///
/// Invariants: a path is valid only once its files are complete, canonical, durable and hashed,
/// and it becomes valid in one database transaction. A crash at any instant leaves either no
/// path or a valid one; the next `LocalStore` opened on the root removes unregistered leftovers.
/// Several processes may share a store: each path is created under its own lock.
public final class LocalStore: Sendable {
    /// Where the store lives.
    public let layout: StoreLayout
    /// Called with a line to show the user when this store has to wait for another process
    /// (a garbage collection, or the adds and builds a collection waits for).
    let noticeWaiting: @Sendable (String) -> Void
    let database: DatabasePool
    /// Held while this store is open; see `ProcessMarker`.
    private let marker: ProcessMarker
    /// How the collector reads the GC roots directory.
    let rootAccess: RootFileAccess
    /// Entries of other tools that were in the store directory when this root claimed it (only
    /// ever non-empty when it was adopted by this opening); Keel leaves them as they are.
    public let foreignEntriesAtClaim: [String]

    /// The prefix of temporary names inside the store directory.
    static let temporaryPrefix = ".keel-tmp-"

    /// Opens (creating if needed) the store under `layout`, then removes leftovers of
    /// interrupted work when a keel process died with the store open since it was last checked.
    /// `noticeWaiting` hears when an operation has to wait for another keel process.
    ///
    /// The store directory must be claimed by this root's database (`StoreClaim`): the claim is
    /// written when the directory holds nothing another tool made, or, with
    /// `adoptStoreDirectory`, whatever it holds (Keel still never removes what it did not make).
    ///
    /// - Throws: `StoreError` when the directories or the database cannot be made or opened;
    ///   `.badInput` when the store directory belongs to another Keel root, or holds other
    ///   tools' entries and is not adopted.
    public convenience init(
        layout: StoreLayout, adoptStoreDirectory: Bool = false,
        noticeWaiting: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(StoreError) {
        try self.init(
            layout: layout, adoptStoreDirectory: adoptStoreDirectory, rootAccess: .live, noticeWaiting: noticeWaiting)
    }

    /// Opens the store as `init(layout:adoptStoreDirectory:noticeWaiting:)` does, reading the GC
    /// roots through `rootAccess` (tests make it fail).
    package init(
        layout: StoreLayout, adoptStoreDirectory: Bool = false, rootAccess: RootFileAccess,
        noticeWaiting: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(StoreError) {
        self.layout = layout
        self.noticeWaiting = noticeWaiting
        self.rootAccess = rootAccess
        for directory in [layout.root, layout.root + "/db", layout.gcRootsDirectory, layout.storeDirectory.path] {
            do { try FileSystem.makeDirectories(directory) } catch {
                throw StoreError(.fileSystem, "cannot create '\(directory)'", cause: error)
            }
        }
        // Two processes opening a new database at once race in SQLite's switch to WAL mode (one
        // gets SQLITE_BUSY, which the busy timeout does not cover): open it under a file lock.
        let openLock: FileDescriptor
        do {
            openLock = try FileSystem.openOrCreate(Array((layout.root + "/db/open.lock").utf8))
            try FileSystem.lock(openLock)
        } catch {
            throw StoreError(.fileSystem, "cannot lock the store database for opening", cause: error)
        }
        defer { FileSystem.close(openLock) }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(60)
            configuration.prepareDatabase { db in
                // Keep the -wal file when the last connection closes: re-creating it would cost
                // every command a directory fsync.
                var persist: Int32 = 1
                _ = sqlite3_file_control(db.sqliteConnection, nil, SQLITE_FCNTL_PERSIST_WAL, &persist)
            }
            database = try DatabasePool(path: layout.databasePath, configuration: configuration)
            let migrator = StoreSchema.migrator
            // Checking is a read; migrating takes the write lock, which only a new schema needs.
            if try !database.read({ db in try migrator.hasCompletedMigrations(db) }) {
                try migrator.migrate(database)
            }
        } catch {
            throw StoreError(
                .database, "cannot open the store database '\(layout.databasePath)'", cause: UnderlyingError(error))
        }
        foreignEntriesAtClaim = try Self.establishClaim(
            layout: layout, database: database, adopt: adoptStoreDirectory)
        let claimed: (marker: ProcessMarker, interruptedBefore: Bool, deadMarkers: [String])
        do { claimed = try ProcessMarker.claim(root: layout.root) } catch {
            throw StoreError(.fileSystem, "cannot mark the store as in use", cause: error)
        }
        marker = claimed.marker
        if claimed.interruptedBefore {
            try removeLeftovers()
            ProcessMarker.removeDead(claimed.deadMarkers)
        }
    }

    /// The store directory, opened for `*at` calls; the caller closes it.
    func openStoreDirectory() throws(StoreError) -> FileDescriptor {
        do { return try FileSystem.openDirectory(Array(layout.storeDirectory.path.utf8)) } catch {
            throw StoreError(.fileSystem, "cannot open the store directory", cause: error)
        }
    }

    /// Parses a full path (possibly inside a store path) into a store path of this store.
    public func storePath(_ fullPath: String) throws(StoreError) -> StorePath {
        var path = fullPath
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        do { return try layout.storeDirectory.parseWithin(path).0 } catch {
            throw StoreError(.notInStore, "'\(fullPath)' is not in the store directory '\(layout.storeDirectory)'")
        }
    }

    /// The full path of a store path.
    public func fullPath(_ path: StorePath) -> String { layout.storeDirectory.fullPath(path) }

    /// Whether `path` is valid.
    public func isValid(_ path: StorePath) throws(StoreError) -> Bool {
        let full = fullPath(path)
        return try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ValidPaths WHERE path = ?)", arguments: [full])
                ?? false
        }
    }

    /// Whether a valid path is named `name`, whatever its hash (one lookup in `IndexName`).
    public func hasValidPath(named name: String) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM ValidPaths WHERE \(StoreSchema.nameOfPath) = ?)",
                arguments: [name]) ?? false
        }
    }

    /// The valid path whose hash part is `hashPart`, if any: one range lookup on the path
    /// index (what a binary cache server answers a `HASH.narinfo` request with).
    public func validPath(hashPart: String) throws(StoreError) -> StorePath? {
        guard (try? StorePath.validateHashPart(hashPart)) != nil else { return nil }
        // Every full path with this hash part sorts between "DIR/HASH-" and "DIR/HASH." ('.'
        // follows '-').
        let low = "\(layout.storeDirectory.path)/\(hashPart)-"
        let high = "\(layout.storeDirectory.path)/\(hashPart)."
        let found = try read { db in
            try String.fetchOne(
                db, sql: "SELECT path FROM ValidPaths WHERE path > ? AND path < ? LIMIT 1", arguments: [low, high])
        }
        guard let found else { return nil }
        return try storePath(found)
    }

    /// What the store knows about `path`.
    ///
    /// - Throws: `StoreError.Code.notValid` when the path is not valid.
    public func info(_ path: StorePath) throws(StoreError) -> PathInfo {
        let full = fullPath(path)
        let found: (ValidPathRecord, [String])? = try read { db in
            guard let record = try ValidPathRecord.find(full, in: db) else { return nil }
            let references = try String.fetchAll(
                db,
                sql: "SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference WHERE r.referrer = ?",
                arguments: [record.id])
            return (record, references)
        }
        guard let (record, references) = found else { throw StoreError(.notValid, "path '\(full)' is not valid") }
        return try pathInfo(record, references: references)
    }

    /// What the store knows about each of `paths`, in their order, read with two queries.
    ///
    /// - Throws: `StoreError.Code.notValid` naming the first path that is not valid.
    public func infos(of paths: [StorePath]) throws(StoreError) -> [PathInfo] {
        let names = paths.map(fullPath)
        let argument = JSONArgument.array(names)
        let (records, references): ([ValidPathRecord], [(Int64, String)]) = try read { db in
            let records = try ValidPathRecord.fetchAll(
                db,
                sql: """
                    SELECT \(ValidPathRecord.columns) FROM ValidPaths
                    WHERE path IN (SELECT value FROM json_each(?))
                    """,
                arguments: [argument])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.referrer, v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference
                    WHERE r.referrer IN (SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?)))
                    """,
                arguments: [argument])
            return (records, rows.map { (row: Row) in (row[0] as Int64, row[1] as String) })
        }
        var byPath: [String: ValidPathRecord] = [:]
        for record in records { byPath[record.path] = record }
        var referencesByID: [Int64: [String]] = [:]
        for (referrer, path) in references { referencesByID[referrer, default: []].append(path) }
        var infos: [PathInfo] = []
        infos.reserveCapacity(names.count)
        for full in names {
            guard let record = byPath[full], let id = record.id else {
                throw StoreError(.notValid, "path '\(full)' is not valid")
            }
            infos.append(try pathInfo(record, references: (referencesByID[id] ?? []).sorted()))
        }
        return infos
    }

    func pathInfo(_ record: ValidPathRecord, references: [String]) throws(StoreError) -> PathInfo {
        let parsed: [StorePath]
        do {
            parsed = try references.map { path throws(StorePathError) in try layout.storeDirectory.parse(path) }
        } catch {
            throw StoreError(.database, "corrupt database row for '\(record.path)'", cause: UnderlyingError(error))
        }
        return try pathInfo(record, path: nil, references: parsed)
    }

    /// The info of `record`, with its references already parsed; `path` is its path, parsed
    /// from `record.path` when nil.
    func pathInfo(_ record: ValidPathRecord, path: StorePath?, references: [StorePath]) throws(StoreError)
        -> PathInfo
    {
        do {
            let directory = layout.storeDirectory
            return PathInfo(
                path: try path ?? directory.parse(record.path),
                narHash: try NixHash(parsing: record.hash),
                narSize: UInt64(record.narSize ?? 0),
                references: references,
                deriver: try record.deriver.map { path throws(StorePathError) in try directory.parse(path) },
                registrationTime: record.registrationTime,
                signatures: record.sigs.map { $0.split(separator: " ").map(String.init) } ?? [],
                contentAddress: try record.ca.map { text throws(ContentAddressError) in
                    try ContentAddress(parsing: text)
                })
        } catch {
            throw StoreError(.database, "corrupt database row for '\(record.path)'", cause: UnderlyingError(error))
        }
    }

    /// Every valid path that `paths` reach through references, `paths` included.
    ///
    /// One query; a path of `paths` that is not valid is an error (`.notValid`) naming it.
    public func closure(of paths: [StorePath]) throws(StoreError) -> Set<StorePath> {
        let start = paths.map(fullPath)
        let found: [String] = try read { db in
            try String.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE closure(id) AS (
                        SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))
                        UNION
                        SELECT r.reference FROM Refs r JOIN closure c ON r.referrer = c.id
                    )
                    SELECT v.path FROM ValidPaths v JOIN closure c ON v.id = c.id
                    """,
                arguments: [JSONArgument.array(start)])
        }
        var result = Set<StorePath>()
        for path in found {
            do { result.insert(try layout.storeDirectory.parse(path)) } catch {
                throw StoreError(.database, "corrupt database path '\(path)'")
            }
        }
        // A valid path is in its own closure, so a missing start path is not valid.
        for path in paths where !result.contains(path) {
            throw StoreError(.notValid, "path '\(fullPath(path))' is not valid")
        }
        return result
    }

    /// Which of `paths` are valid, in one query.
    public func validSubset(of paths: [StorePath]) throws(StoreError) -> Set<StorePath> {
        let names = paths.map(fullPath)
        let found: [String] = try read { db in
            try String.fetchAll(
                db, sql: "SELECT path FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))",
                arguments: [JSONArgument.array(names)])
        }
        let valid = Set(found)
        return Set(paths.filter { valid.contains(fullPath($0)) })
    }

    /// The valid paths that refer to `path` (itself included when it refers to itself).
    public func referrers(of path: StorePath) throws(StoreError) -> [StorePath] {
        guard try isValid(path) else { throw StoreError(.notValid, "path '\(fullPath(path))' is not valid") }
        let full = fullPath(path)
        let found: [String] = try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.referrer
                    WHERE r.reference = (SELECT id FROM ValidPaths WHERE path = ?)
                    """,
                arguments: [full])
        }
        var result: [StorePath] = []
        for path in found {
            do { result.append(try layout.storeDirectory.parse(path)) } catch {
                throw StoreError(.database, "corrupt database path '\(path)'")
            }
        }
        return result.sorted()
    }

    /// Runs a read in the database, wrapping its errors.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        do { return try database.read(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.database, "store database read failed", cause: UnderlyingError(error))
        }
    }

    /// Runs a write transaction in the database, wrapping its errors.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        do { return try database.write(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.database, "store database write failed", cause: UnderlyingError(error))
        }
    }
}

extension LocalStore {
    /// Every valid path, sorted by base name.
    public func validPaths() throws(StoreError) -> [StorePath] {
        let paths: [String] = try read { db in try String.fetchAll(db, sql: "SELECT path FROM ValidPaths") }
        var result: [StorePath] = []
        for path in paths {
            do { result.append(try layout.storeDirectory.parse(path)) } catch {
                throw StoreError(.database, "corrupt database path '\(path)'")
            }
        }
        return result.sorted()
    }
}
