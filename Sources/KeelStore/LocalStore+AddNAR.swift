import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

extension LocalStore {
    /// Adds the tree a NAR describes as a source path named `name`, referring to `references`
    /// (each must be valid), and returns it.
    ///
    /// The NAR is checked strictly and hashed while it is restored under a temporary name;
    /// when `expectedHash` is given and differs from the NAR's sha256, nothing is registered.
    /// - Throws: `StoreError.Code.badInput` for a malformed NAR (with its byte offset) or a hash
    ///   mismatch naming both hashes.
    @discardableResult
    public func addNAR<Source: ByteSource>(
        from source: Source, name: String, expectedHash: NixHash? = nil, references: [StorePath] = []
    ) throws(StoreError) -> StorePath {
        do { try StorePath.validateName(name) } catch { throw StoreError(.badInput, error.description) }
        let collectionLock = try lockAgainstCollection()
        defer { withExtendedLifetime(collectionLock) {} }
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        let (stagingLock, temporary): (PathLock, [UInt8])
        do { (stagingLock, temporary) = try Self.lockStaging("addnar-\(getpid())", in: directory) } catch {
            throw StoreError(.fileSystem, "cannot lock the staging area", cause: error)
        }
        defer { stagingLock.release() }
        var restorer = TreeRestorer(creating: temporary, in: directory, label: "(NAR)", canonical: true)
        var reader = ByteReader(source: source, bufferSize: 1 << 20)
        let hash: NixHash
        let size: UInt64
        do {
            (hash, size) = try NARReader.parseWhole(&reader, visitor: &restorer)
            try restorer.commit()
        } catch {
            restorer.abandon()
            throw StoreError(.badInput, "\(error); nothing was added")
        }
        func discard() { try? FileSystem.removeTree(temporary, in: directory) }
        if let expectedHash, expectedHash != hash {
            discard()
            throw StoreError(
                .badInput,
                "NAR hash mismatch: expected \(expectedHash.prefixed(.nixBase32)), got \(hash.prefixed(.nixBase32)); nothing was added"
            )
        }
        let path: StorePath
        do {
            path = try StorePathComputer(storeDirectory: layout.storeDirectory).sourcePath(
                narHash: hash, name: name, references: references)
        } catch {
            discard()
            throw StoreError(.badInput, error.description)
        }
        let lock: PathLock
        do { lock = try PathLock(baseName: path.baseName, in: directory) } catch {
            discard()
            throw StoreError(.fileSystem, "cannot lock '\(fullPath(path))'", cause: error)
        }
        defer { lock.release() }
        if try isValid(path) {
            discard()
            return path
        }
        let placed = try place(temporary, as: path, narHash: hash, in: directory)
        try register([
            NewPath(
                path: path, narHash: hash, narSize: size, references: references, deriver: nil,
                contentAddress: ContentAddress(method: .recursive, hash: hash),
                borrowed: placed == .matchingForeignEntry)
        ])
        return path
    }
}
