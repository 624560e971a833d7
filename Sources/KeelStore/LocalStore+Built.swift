import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

extension LocalStore {
    /// Takes the lock of each path in `paths` (in a fixed order, so two processes never wait on
    /// each other), as Nix does before building an output; a path named twice is locked once.
    /// The locks share one open store directory, closed when the last is released.
    public func lockPaths(_ paths: [StorePath]) throws(StoreError) -> [PathLock] {
        let handle = StoreDirectoryHandle(try openStoreDirectory())
        var locks: [PathLock] = []
        for path in Set(paths).sorted() {
            do { locks.append(try PathLock(baseName: path.baseName, in: handle.fd, keepingOpen: handle)) } catch {
                for lock in locks { lock.release() }
                throw StoreError(.fileSystem, "cannot lock '\(fullPath(path))'", cause: error)
            }
        }
        return locks
    }

    /// Moves built trees into the store and registers them in one transaction.
    ///
    /// Each tree is renamed (or, across file systems, copied) under a temporary name in the store
    /// directory and made durable (`TreeDurability`) before they are renamed into place and
    /// registered. The caller holds the paths' locks (`lockPaths`) and the collection lock. A path
    /// that is already valid is left as it is and its tree discarded.
    public func registerBuilt(_ paths: [BuiltPath]) throws(StoreError) {
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        var staged: [(BuiltPath, [UInt8])] = []
        var registering: [NewPath] = []  // Staged or borrowed, in the order given.
        func discardStaged() {
            for (_, temporary) in staged { try? FileSystem.removeTree(temporary, in: directory) }
        }
        for built in paths {
            if try isValid(built.path) {
                try? FileSystem.removeTree(Array(built.location.utf8))
                continue
            }
            do {
                if try prepareFinalName(built.path, narHash: built.narHash, in: directory) == .matchingForeignEntry {
                    registering.append(built.newPath(borrowed: true))
                    try? FileSystem.removeTree(Array(built.location.utf8))
                    continue
                }
            } catch {
                discardStaged()
                throw error
            }
            let temporary = Array("\(Self.temporaryPrefix)\(built.path.baseName)".utf8)
            try? FileSystem.removeTree(temporary, in: directory)
            do {
                try moveTree(built.location, into: directory, as: temporary)
            } catch {
                discardStaged()
                throw error
            }
            staged.append((built, temporary))
            registering.append(built.newPath(borrowed: false))
        }
        guard !registering.isEmpty else { return }
        var renamed: [StorePath] = []
        do {
            for (_, temporary) in staged { try TreeDurability.sync(temporary, in: directory) }
            try recordPending(
                try staged.map { built, temporary throws(StoreError) in
                    (built.path, try identity(of: temporary, in: directory))
                })
            for (built, temporary) in staged {
                try FileSystem.renameNoReplace(
                    temporary, in: directory, to: Array(built.path.baseName.utf8), in: directory)
                renamed.append(built.path)
            }
            try FileSystem.sync(directory)
        } catch {
            discardStaged()
            for path in renamed { try? FileSystem.removeTree(Array(path.baseName.utf8), in: directory) }
            try? forgetPending(staged.map { fullPath($0.0.path) })
            if let error = error as? StoreError { throw error }
            throw StoreError(.fileSystem, "cannot move built paths into place", cause: UnderlyingError(error))
        }
        try register(registering)
    }

    /// Renames `location` to `name` in the store directory, or copies it when it is on another
    /// file system (the copy is canonical, as the original was).
    private func moveTree(_ location: String, into directory: FileDescriptor, as name: [UInt8]) throws(StoreError) {
        do {
            try FileSystem.renameNoReplace(
                Array(location.utf8), in: FileSystem.currentDirectory, to: name, in: directory)
            return
        } catch let error where error.errno == EXDEV {
            // Falls through to copying.
        } catch {
            throw StoreError(.fileSystem, "cannot move '\(location)' into the store", cause: error)
        }
        do {
            try TreeCopier.copy(source: location, into: directory, name: name)
            try? FileSystem.removeTree(Array(location.utf8))
        } catch {
            try? FileSystem.removeTree(name, in: directory)
            throw StoreError(.fileSystem, "cannot copy '\(location)' into the store", cause: UnderlyingError(error))
        }
    }
}

extension BuiltPath {
    /// The record that registers this built path.
    fileprivate func newPath(borrowed: Bool) -> NewPath {
        NewPath(
            path: path, narHash: narHash, narSize: narSize, references: references, deriver: deriver,
            contentAddress: contentAddress, borrowed: borrowed)
    }
}
