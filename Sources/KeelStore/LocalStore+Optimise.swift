import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// What `optimise` did.
public struct OptimiseResult: Sendable {
    /// Files replaced by a hard link to an identical file.
    public let filesLinked: Int
    /// The bytes those files took.
    public let bytesSaved: UInt64
}

extension LocalStore {
    /// Hard-links identical files across the store, as Nix's `.links` does: each regular file is
    /// keyed by the sha256 of its NAR (contents and executable bit) under `<store>/.links/`, and
    /// a file whose key already exists with another inode is replaced by a link to it.
    ///
    /// Contents, modes and NAR hashes do not change; directories keep mode 0555 and mtime 1.
    /// Files of borrowed paths (another tool's, see `KeelBorrowed`) are left as they are.
    public func optimise() throws(StoreError) -> OptimiseResult {
        let collectionLock = try lockAgainstCollection(exclusive: true)
        defer { withExtendedLifetime(collectionLock) {} }
        let store = try openStoreDirectory()
        defer { FileSystem.close(store) }
        let linksName = Array(".links".utf8)
        if (try? FileSystem.status(of: linksName, in: store)) == nil {
            do { try FileSystem.makeDirectory(linksName, in: store, permissions: 0o755) } catch {
                throw StoreError(.fileSystem, "cannot create the .links directory", cause: error)
            }
        }
        let links: FileDescriptor
        do { links = try FileSystem.openDirectory(linksName, in: store) } catch {
            throw StoreError(.fileSystem, "cannot open the .links directory", cause: error)
        }
        defer { FileSystem.close(links) }
        // A new link is made under a staging name at the top of the store directory, then renamed
        // over the file it replaces: a crash never leaves an extra name inside a valid path.
        let staging: (lock: PathLock, temporary: [UInt8])
        do { staging = try Self.lockStaging("link-\(getpid())-\(UInt64.random(in: 0...UInt64.max))", in: store) } catch
        {
            throw StoreError(.fileSystem, "cannot lock a temporary name in the store directory", cause: error)
        }
        defer { staging.lock.release() }
        let temporary = (store, staging.temporary)
        var linked = 0
        var saved: UInt64 = 0
        // Borrowed paths' files are another tool's: Keel does not rewrite them, not even as links.
        let borrowed = try borrowedPaths()
        for path in try validPaths() where !borrowed.contains(fullPath(path)) {
            do {
                try optimise(
                    Array(path.baseName.utf8), in: store, label: fullPath(path), links: links, temporary: temporary,
                    linked: &linked, saved: &saved)
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.fileSystem, "cannot optimise '\(fullPath(path))'", cause: UnderlyingError(error))
            }
        }
        return OptimiseResult(filesLinked: linked, bytesSaved: saved)
    }

    private func optimise(
        _ name: [UInt8], in parent: FileDescriptor, label: String, links: FileDescriptor,
        temporary: (directory: FileDescriptor, name: [UInt8]), linked: inout Int, saved: inout UInt64
    ) throws {
        let info = try FileSystem.status(of: name, in: parent)
        guard info.kind == .directory else { return }
        let directory = try FileSystem.openDirectory(name, in: parent)
        defer { FileSystem.close(directory) }
        var changed = false
        for entry in try DirectoryListing.read(directory) {
            let entryLabel = label + "/" + FileSystem.display(entry.name)
            let status = try FileSystem.status(of: entry.name, in: directory)
            switch status.kind {
            case .directory:
                try optimise(
                    entry.name, in: directory, label: entryLabel, links: links, temporary: temporary, linked: &linked,
                    saved: &saved)
            case .regular where status.size > 0:
                let key = Array(try TreeDumper.hash(path: entryLabel).hash.nixBase32.utf8)
                guard let existing = try? FileSystem.status(of: key, in: links) else {
                    try FileSystem.link(entry.name, in: directory, as: key, in: links)
                    continue
                }
                guard existing.inode != status.inode else { continue }
                if !changed {
                    try FileSystem.setPermissions(directory, 0o755)
                    changed = true
                }
                try? FileSystem.remove(temporary.name, in: temporary.directory, isDirectory: false)
                try FileSystem.link(key, in: links, as: temporary.name, in: temporary.directory)
                try FileSystem.rename(temporary.name, in: temporary.directory, to: entry.name, in: directory)
                linked += 1
                saved += status.size
            default:
                continue
            }
        }
        if changed {
            try FileSystem.setPermissions(directory, 0o555)
            try FileSystem.setTimes(name, in: parent, seconds: TreeCopier.canonicalTime)
        }
    }
}
