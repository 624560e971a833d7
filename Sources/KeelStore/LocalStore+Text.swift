import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

extension LocalStore {
    /// Adds `contents` as a text path named `name` referring to `references` (the kind of path
    /// .drv files and `builtins.toFile` make) and returns it; already valid content is not
    /// written again.
    ///
    /// - Throws: `StoreError`: `.badInput` for an invalid name or a reference that is not valid.
    @discardableResult
    public func addText(name: String, contents: [UInt8], references: [StorePath]) throws(StoreError) -> StorePath {
        let digest = StreamingHasher.hash(.sha256, contents)
        let path: StorePath
        do {
            path = try StorePathComputer(storeDirectory: layout.storeDirectory).textPath(
                contentHash: digest, name: name, references: references)
        } catch {
            throw StoreError(.badInput, error.description)
        }
        let collectionLock = try lockAgainstCollection()
        defer { withExtendedLifetime(collectionLock) {} }
        if try isValid(path) { return path }
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        guard let (lock, temporary) = try lockForCreating(path, in: directory) else { return path }
        defer { lock.release() }
        do {
            let fd = try FileSystem.createFile(temporary, in: directory, permissions: 0o644)
            defer { FileSystem.close(fd) }
            try FileSystem.write(fd, contents, at: 0)
            try Canonicaliser.canonicalise(temporary, in: directory, label: fullPath(path))
        } catch {
            try? FileSystem.removeTree(temporary, in: directory)
            throw StoreError(.fileSystem, "cannot write '\(fullPath(path))'", cause: UnderlyingError(error))
        }
        let (narHash, narSize) = try hashTree(
            layout.storeDirectory.path + "/" + String(decoding: temporary, as: UTF8.self))
        let placed = try place(temporary, as: path, narHash: narHash, in: directory)
        try register([
            NewPath(
                path: path, narHash: narHash, narSize: narSize, references: references, deriver: nil,
                contentAddress: ContentAddress(method: .text, hash: digest), borrowed: placed == .matchingForeignEntry)
        ])
        return path
    }
}
