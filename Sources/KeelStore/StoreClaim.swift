import KeelFormats
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Which Keel database owns a store directory: the marker file `STORE/.keel-store`, naming the
/// database's identity (`KeelIdentity`) and, for people, its file.
///
/// A store directory may hold what another tool put there (Nix's paths, `.drv` files that
/// `nix-instantiate` wrote, another Keel root's store). Keel opens a store directory only when
/// the marker names this database, or when it may write the marker: the directory holds nothing
/// but what this database registered and Keel's own temporary names (a new or empty directory,
/// or a store from before markers), or the user adopted it explicitly (`keel store adopt`).
/// Claiming a directory never makes another tool's entries Keel's: whatever the claim, Keel
/// removes only its temporary names and the paths it recorded in `KeelPending`.
struct StoreClaim: Equatable {
    /// The file name of the marker inside the store directory.
    static let fileName = ".keel-store"
    private static let header = "keel store directory"

    /// The owning database's identity.
    let identity: String
    /// The owning database's file, as it was when the marker was written.
    let databasePath: String

    /// A fresh random identity for a new database.
    static func newIdentity() -> String {
        (0..<2).map { _ in
            let text = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    /// The marker's text.
    var text: String { "\(Self.header)\nid: \(identity)\ndatabase: \(databasePath)\n" }

    /// Parses a marker's text; nil when it is not one.
    init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[0] == Self.header, lines[3].isEmpty, lines[1].hasPrefix("id: "),
            lines[2].hasPrefix("database: ")
        else { return nil }
        identity = String(lines[1].dropFirst(4))
        databasePath = String(lines[2].dropFirst(10))
        guard !identity.isEmpty else { return nil }
    }

    /// A claim by the database `identity` stored at `databasePath`.
    init(identity: String, databasePath: String) {
        self.identity = identity
        self.databasePath = databasePath
    }

    /// Reads the marker in the store directory open as `directory`; nil when there is none.
    static func read(in directory: FileDescriptor, label: String) throws(StoreError) -> StoreClaim? {
        let name = Array(fileName.utf8)
        let fd: FileDescriptor
        do { fd = try FileSystem.openForReading(name, in: directory) } catch  where error.errno == ENOENT {
            return nil
        } catch {
            throw StoreError(.fileSystem, "cannot read the store directory's claim '\(label)'", cause: error)
        }
        defer { FileSystem.close(fd) }
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(fd, count: 4096, at: 0) } catch {
            throw StoreError(.fileSystem, "cannot read the store directory's claim '\(label)'", cause: error)
        }
        guard let claim = StoreClaim(text: String(decoding: bytes, as: UTF8.self)) else {
            throw StoreError(
                .badInput,
                "'\(label)' is not a Keel store directory marker; remove it only if you know no Keel root uses this directory"
            )
        }
        return claim
    }

    /// Writes the marker into the store directory open as `directory`, atomically and durably,
    /// unless a marker appeared there meanwhile (another process claimed it first): then that
    /// marker is returned, and the caller compares identities.
    func write(in directory: FileDescriptor, label: String) throws(StoreError) -> StoreClaim? {
        let lock: PathLock
        let temporary: [UInt8]
        do {
            (lock, temporary) = try LocalStore.lockStaging(
                "claim-\(getpid())-\(UInt64.random(in: 0...UInt64.max))", in: directory)
        } catch {
            throw StoreError(.fileSystem, "cannot write the store directory's claim '\(label)'", cause: error)
        }
        defer { lock.release() }
        do {
            let fd = try FileSystem.createFile(temporary, in: directory, permissions: 0o444)
            defer { FileSystem.close(fd) }
            try FileSystem.write(fd, Array(text.utf8), at: 0)
            try FileSystem.sync(fd)
            try FileSystem.renameNoReplace(temporary, in: directory, to: Array(Self.fileName.utf8), in: directory)
            try FileSystem.sync(directory)
            return nil
        } catch let error where error.errno == EEXIST {
            try? FileSystem.remove(temporary, in: directory, isDirectory: false)
            return try Self.read(in: directory, label: label)
        } catch {
            try? FileSystem.remove(temporary, in: directory, isDirectory: false)
            throw StoreError(.fileSystem, "cannot write the store directory's claim '\(label)'", cause: error)
        }
    }

    /// Whether an entry of a store directory is one that any Keel root may find in a directory
    /// it claims without adoption: the marker itself, Keel's temporary names, lock files, and
    /// `.links` (the hard-link pool that `optimise` fills, as Nix's does).
    static func isHousekeeping(_ name: String, in directory: FileDescriptor) -> Bool {
        name == fileName || name == ".links" || name.hasPrefix(LocalStore.temporaryPrefix)
            || PathLock.isLockFile(Array(name.utf8), in: directory)
    }
}
