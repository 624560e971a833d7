import GRDB

/// The store database's schema, as migrations. It follows Nix 2.8's schema (spec §9.2) so the
/// meaning of every column is Nix's:
///
/// - `ValidPaths(id, path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca)`: one
///   row per valid path; `hash` is `sha256:<hex>` of the NAR; `sigs` space-separated; `ca` a
///   content address (`fixed:r:sha256:<b32>`, `text:sha256:<b32>`) or NULL.
/// - `Refs(referrer, reference)`: one row per reference, `(id, id)` for a self-reference;
///   a path cannot be deleted while another refers to it.
/// - `DerivationOutputs(drv, id, path)`: a `.drv`'s outputs, written when the `.drv` is registered.
///
/// Keel adds one index of its own, `IndexName` on each path's name, so that `store add` can ask
/// whether any valid path has a name without scanning the table, and two tables of its own:
///
/// - `KeelIdentity(id)`: one row, this database's random identity; the store directory's claim
///   marker (`StoreClaim`) names it.
/// - `KeelPending(path, inode, birth)`: full paths Keel is about to create under their final
///   names, or has unregistered to delete them, with the identity of the tree Keel put (or
///   found) there: its inode and birth time (`EntryIdentity`), which a rename keeps. A path is
///   written here before it appears under its final name (and in the transaction that removes
///   its `ValidPaths` row for a collection), so that after a crash the leftover cleanup can
///   prove an unregistered entry is Keel's own: it removes an entry only when its identity is
///   still the recorded one, so another tool's later entry of the same name is never touched.
/// - `KeelBorrowed(path)`: valid paths whose files another tool put in the store directory
///   (registered in place because they held exactly the expected content); a collection drops
///   their rows but never removes or rewrites their files.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: Nix 2.8 schema") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ValidPaths (
                        id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                        path TEXT UNIQUE NOT NULL,
                        hash TEXT NOT NULL,
                        registrationTime INTEGER NOT NULL,
                        deriver TEXT,
                        narSize INTEGER,
                        ultimate INTEGER,
                        sigs TEXT,
                        ca TEXT
                    );
                    CREATE TABLE Refs (
                        referrer INTEGER NOT NULL,
                        reference INTEGER NOT NULL,
                        PRIMARY KEY (referrer, reference),
                        FOREIGN KEY (referrer) REFERENCES ValidPaths(id) ON DELETE CASCADE,
                        FOREIGN KEY (reference) REFERENCES ValidPaths(id) ON DELETE RESTRICT
                    );
                    CREATE INDEX IndexReferrer ON Refs(referrer);
                    CREATE INDEX IndexReference ON Refs(reference);
                    CREATE TRIGGER DeleteSelfRefs BEFORE DELETE ON ValidPaths
                    BEGIN
                        DELETE FROM Refs WHERE referrer = old.id AND reference = old.id;
                    END;
                    CREATE TABLE DerivationOutputs (
                        drv INTEGER NOT NULL,
                        id TEXT NOT NULL,
                        path TEXT NOT NULL,
                        PRIMARY KEY (drv, id),
                        FOREIGN KEY (drv) REFERENCES ValidPaths(id) ON DELETE CASCADE
                    );
                    CREATE INDEX IndexDerivationOutputs ON DerivationOutputs(path);
                    """)
        }
        migrator.registerMigration("v2: index of path names") { db in
            try db.execute(sql: "CREATE INDEX IndexName ON ValidPaths(\(nameOfPath))")
        }
        migrator.registerMigration("v3: identity and pending paths") { db in
            try db.execute(
                sql: """
                    CREATE TABLE KeelIdentity (id TEXT NOT NULL);
                    CREATE TABLE KeelPending (
                        path TEXT PRIMARY KEY NOT NULL, inode INTEGER NOT NULL, birth INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE KeelBorrowed (path TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                    INSERT INTO KeelIdentity (id) VALUES (?);
                    """, arguments: [StoreClaim.newIdentity()])
        }
        return migrator
    }

    /// The SQL expression for a `ValidPaths` row's store path name (what follows `<hash>-` in
    /// the last component of `path`), indexed by `IndexName`; a query must spell it exactly so
    /// to use the index. `rtrim(path, <path without slashes>)` leaves the directory part.
    static let nameOfPath = "substr(replace(path, rtrim(path, replace(path, '/', '')), ''), 34)"
}
