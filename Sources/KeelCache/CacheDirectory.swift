import Glibc
import KeelFormats
import KeelLinux
import SystemPackage

/// A binary cache directory opened for writing: its root and `nar/` directories, created when
/// missing, and a `nix-cache-info` for the store directory being pushed.
final class CacheDirectory: Sendable {
    /// The cache's path, for messages.
    let path: String
    /// The open cache root.
    let root: FileDescriptor
    /// The open `nar/` directory.
    let narDirectory: FileDescriptor

    private init(path: String, root: FileDescriptor, narDirectory: FileDescriptor) {
        self.path = path
        self.root = root
        self.narDirectory = narDirectory
    }

    /// Opens (creating it and `nar/` when missing) the cache at `path` for paths of
    /// `storeDirectory`, writing `nix-cache-info` when there is none.
    ///
    /// - Throws: `CacheError.Code.badInput` when `nix-cache-info` names another store directory
    ///   or none; `.fileSystem` naming what could not be created or read.
    static func open(_ path: String, for storeDirectory: StoreDirectory) throws(CacheError) -> CacheDirectory {
        let root: FileDescriptor
        do {
            try FileSystem.makeDirectories(path)
            root = try FileSystem.openDirectory(Array(path.utf8))
        } catch {
            throw CacheError(.fileSystem, "cannot open the cache directory '\(path)': \(error.reason)")
        }
        let narDirectory: FileDescriptor
        do {
            try makeDirectory(CacheLayout.narDirectory, in: root)
            narDirectory = try FileSystem.openDirectory(Array(CacheLayout.narDirectory.utf8), in: root)
        } catch {
            FileSystem.close(root)
            throw CacheError(.fileSystem, "cannot open '\(path)/\(CacheLayout.narDirectory)': \(error.reason)")
        }
        let directory = CacheDirectory(path: path, root: root, narDirectory: narDirectory)
        try directory.claim(for: storeDirectory)
        return directory
    }

    deinit {
        FileSystem.close(narDirectory)
        FileSystem.close(root)
    }

    /// Whether the cache has a narinfo for `storePath`.
    ///
    /// - Throws: `CacheError.Code.fileSystem` when the directory cannot be looked at.
    func hasNarInfo(for storePath: StorePath) throws(CacheError) -> Bool {
        let name = CacheLayout.narinfoName(of: storePath)
        do {
            _ = try FileSystem.status(of: Array(name.utf8), in: root)
            return true
        } catch  where error.errno == ENOENT {
            return false
        } catch {
            throw CacheError(.fileSystem, "cannot look at '\(path)/\(name)': \(error.reason)")
        }
    }

    /// Writes `text` as the file `name` of the cache root, atomically, unless it exists.
    ///
    /// - Returns: whether the file was written (false: one was already there, and is kept).
    /// - Throws: `CacheError.Code.fileSystem` naming the file.
    @discardableResult
    func writeNew(_ text: String, as name: String) throws(CacheError) -> Bool {
        let file = try CacheTemporaryFile(in: root, at: path)
        do { try file.write(Array(text.utf8)) } catch {
            file.discard()
            throw error
        }
        return try file.publish(as: name)
    }

    /// Makes sure `nix-cache-info` describes a cache of `storeDirectory`, writing it when missing.
    private func claim(for storeDirectory: StoreDirectory) throws(CacheError) {
        let name = CacheLayout.cacheInfoName
        if try writeNew(CacheLayout.cacheInfo(storeDirectory: storeDirectory), as: name) { return }
        let text: String
        do {
            text = String(decoding: try FileSystem.readWholeFile("\(path)/\(name)", limit: 1 << 16), as: UTF8.self)
        } catch {
            throw CacheError(.fileSystem, "cannot read '\(path)/\(name)': \(error.reason)")
        }
        let storeDirectoryLine = text.split(separator: "\n").first { $0.hasPrefix("StoreDir:") }
        guard let storeDirectoryLine else {
            throw CacheError(.badInput, "'\(path)/\(name)' names no StoreDir: not a binary cache Keel can write to")
        }
        let existing = String(storeDirectoryLine.dropFirst("StoreDir:".count).filter { $0 != " " && $0 != "\r" })
        guard existing == storeDirectory.path else {
            throw CacheError(
                .badInput,
                "the cache '\(path)' is for store directory \(existing), not \(storeDirectory.path): refusing to mix them"
            )
        }
    }

    private static func makeDirectory(_ name: String, in parent: FileDescriptor) throws(SystemError) {
        do { try FileSystem.makeDirectory(Array(name.utf8), in: parent, permissions: 0o755) } catch
            where
            error.errno == EEXIST
        {}
    }
}
