import KeelFormats

/// Where a store lives: a state root holding the store directory and the metadata database.
///
/// ```
/// ROOT/store              the store directory (any absolute directory, /nix/store included)
/// ROOT/db/store.sqlite    valid paths and references (SQLite, WAL)
/// ROOT/gcroots/           extra GC roots (symlinks)
/// ROOT/profiles/          profiles: system -> system-N-link -> a system path (also GC roots)
/// ```
public struct StoreLayout: Sendable {
    /// The state root.
    public let root: String
    /// The store directory.
    public let storeDirectory: StoreDirectory

    /// A layout under `root`, with the store directory `storeDirectory` (default `ROOT/store`).
    public init(root: String, storeDirectory: StoreDirectory? = nil) throws(StorePathError) {
        self.root = root
        if let storeDirectory {
            self.storeDirectory = storeDirectory
        } else {
            self.storeDirectory = try StoreDirectory(root + "/store")
        }
    }

    /// The database file.
    public var databasePath: String { root + "/db/store.sqlite" }
    /// The GC roots directory.
    public var gcRootsDirectory: String { root + "/gcroots" }
    /// The profiles directory, whose generation links keep their closures alive as roots do.
    public var profilesDirectory: String { root + "/profiles" }
}
