import Foundation
import GRDB
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

/// What a collection or deletion removed.
public struct CollectionResult: Sendable {
    /// The paths removed, referrers before the paths they refer to.
    public let deleted: [StorePath]
    /// The sum of their NAR sizes.
    public let bytesFreed: UInt64
}

/// A root that keeps a path alive: where it is and what it points at.
public struct GCRoot: Hashable, Sendable {
    /// The root's own path (a symlink under `ROOT/gcroots`).
    public let location: String
    /// The store path it keeps alive.
    public let target: StorePath
}

extension LocalStore {
    /// The roots: symlinks under `ROOT/gcroots` and `ROOT/profiles` (each searched recursively;
    /// either may be missing) whose target, followed through further symlinks, lies in the
    /// store. So every generation of every profile keeps its closure. Targets that are not valid
    /// are ignored.
    ///
    /// - Throws: `StoreError` naming the root when any part of either directory cannot be read
    ///   (other than an entry that vanished meanwhile): a collection must not go on without
    ///   knowing what a root keeps alive.
    public func roots() throws(StoreError) -> [GCRoot] {
        let scanner = RootScanner(access: rootAccess, storeDirectory: layout.storeDirectory)
        let found = try scanner.scan(layout.gcRootsDirectory) + scanner.scan(layout.profilesDirectory)
        var valid: [GCRoot] = []
        for root in found where try isValid(root.target) { valid.append(root) }
        return valid
    }

    /// Deletes every valid path no root reaches, or (with `maxFreed`) enough of them to free that
    /// many bytes, referrers first. With `dryRun`, only says what it would delete.
    ///
    /// Holds the store's collection lock, so no add or import runs meanwhile. Rows go first, in
    /// one transaction; files after, so a crash leaves only unregistered files, which the next
    /// open removes.
    public func collectGarbage(maxFreed: UInt64? = nil, dryRun: Bool = false) throws(StoreError) -> CollectionResult {
        let collectionLock = try lockAgainstCollection(exclusive: true)
        defer { withExtendedLifetime(collectionLock) {} }
        if !dryRun { try removeLeftovers() }
        let live = try closure(of: try roots().map(\.target))
        let dead = try validPaths().filter { !live.contains($0) }
        return try delete(referrersFirst(dead), maxFreed: maxFreed, dryRun: dryRun)
    }

    /// Deletes `paths`, refusing (before deleting anything) any that another valid path still
    /// refers to, or that a root keeps alive; the error says by what.
    public func delete(_ paths: [StorePath]) throws(StoreError) -> CollectionResult {
        let collectionLock = try lockAgainstCollection(exclusive: true)
        defer { withExtendedLifetime(collectionLock) {} }
        let doomed = Set(paths)
        for path in doomed {
            guard try isValid(path) else { throw StoreError(.notValid, "path '\(fullPath(path))' is not valid") }
            if let referrer = try referrers(of: path).first(where: { !doomed.contains($0) }) {
                throw StoreError(
                    .badInput, "cannot delete '\(fullPath(path))': it is still referenced by '\(fullPath(referrer))'")
            }
        }
        for root in try roots() {
            guard let kept = try closure(of: [root.target]).first(where: doomed.contains) else { continue }
            throw StoreError(
                .badInput, "cannot delete '\(fullPath(kept))': it is kept alive by the root '\(root.location)'")
        }
        return try delete(referrersFirst(Array(doomed)), maxFreed: nil, dryRun: false)
    }

    /// Orders `paths` so that each comes before the paths (among them) it refers to.
    private func referrersFirst(_ paths: [StorePath]) throws(StoreError) -> [StorePath] {
        try dependencyOrder(paths).reversed()
    }

    private func delete(_ ordered: [StorePath], maxFreed: UInt64?, dryRun: Bool) throws(StoreError) -> CollectionResult
    {
        let (sizes, borrowed): ([String: Int64], Set<String>) = try read { db in
            var sizes: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, narSize FROM ValidPaths") {
                sizes[row["path"]] = row["narSize"] ?? 0
            }
            return (sizes, Set(try String.fetchAll(db, sql: "SELECT path FROM KeelBorrowed")))
        }
        // A borrowed path's files are another tool's: dropping its rows frees nothing.
        var chosen: [StorePath] = []
        var freed: UInt64 = 0
        for path in ordered {
            if let maxFreed, freed >= maxFreed { break }
            chosen.append(path)
            if !borrowed.contains(fullPath(path)) { freed += UInt64(sizes[fullPath(path)] ?? 0) }
        }
        guard !dryRun, !chosen.isEmpty else { return CollectionResult(deleted: chosen, bytesFreed: freed) }
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        let owned = chosen.filter { !borrowed.contains(fullPath($0)) }
        // The rows go in one transaction, which records the trees of Keel's own paths as pending
        // (with their identities), so a crash before the files are gone leaves trees the next
        // cleanup may remove.
        let pending: [(StorePath, Int64, Int64)] = owned.compactMap { path in
            guard let identity = try? FileSystem.identity(of: Array(path.baseName.utf8), in: directory) else {
                return nil
            }
            return (path, Int64(bitPattern: identity.inode), identity.birthNanoseconds)
        }
        let rows = pending.map { (fullPath($0.0), $0.1, $0.2) }
        let ids = JSONArgument.array(chosen.map(fullPath))
        try write { db in
            try db.execute(
                sql: """
                    CREATE TEMP TABLE IF NOT EXISTS Doomed (id INTEGER PRIMARY KEY);
                    DELETE FROM Doomed;
                    INSERT INTO Doomed SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(:ids));
                    DELETE FROM KeelBorrowed WHERE path IN (SELECT value FROM json_each(:ids));
                    DELETE FROM Refs WHERE referrer IN (SELECT id FROM Doomed);
                    DELETE FROM ValidPaths WHERE id IN (SELECT id FROM Doomed);
                    DELETE FROM Doomed;
                    """, arguments: ["ids": ids])
            let record = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO KeelPending (path, inode, birth) VALUES (?, ?, ?)")
            for (path, inode, birth) in rows { try record.execute(arguments: [path, inode, birth]) }
        }
        // Rows are gone already: a tree that cannot be removed now stays pending, and the next
        // collection removes it.
        ParallelRemover.remove(owned.map { Array($0.baseName.utf8) }, in: directory)
        // Under the exclusive collection lock nobody else creates these paths meanwhile.
        try forgetPending(
            pending.map(\.0).filter { (try? FileSystem.status(of: Array($0.baseName.utf8), in: directory)) == nil }
                .map(fullPath))
        removeUnusedLinks(in: directory)
        return CollectionResult(deleted: chosen, bytesFreed: freed)
    }

    /// Removes `.links` entries that no store path shares any more (link count 1).
    private func removeUnusedLinks(in store: FileDescriptor) {
        guard let links = try? FileSystem.openDirectory(Array(".links".utf8), in: store) else { return }
        defer { FileSystem.close(links) }
        for entry in (try? DirectoryListing.read(links)) ?? [] {
            if let status = try? FileSystem.status(of: entry.name, in: links), status.linkCount == 1 {
                try? FileSystem.remove(entry.name, in: links, isDirectory: false)
            }
        }
    }
}
