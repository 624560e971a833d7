import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

/// One path of an import in progress: restored under a temporary name, not yet in place.
private struct StagedPath {
    let temporary: [UInt8]
    let exported: ExportedPath
    let path: StorePath
    let alreadyValid: Bool
}

extension LocalStore {
    /// Imports a `nix-store --export` stream read from `source`; returns the paths it holds.
    ///
    /// All or nothing: every NAR is validated strictly and hashed, and restored under a temporary
    /// name straight into canonical form (small files on several threads), before anything is
    /// registered. A path whose references are neither valid nor in the same stream is refused.
    /// Only when the whole stream is good are the paths made durable (one `syncfs`), renamed into
    /// place and registered in one transaction.
    /// - Throws: `StoreError.Code.badInput` for a broken stream (naming the byte offset) or a
    ///   missing reference; nothing is registered then.
    public func importPaths<Source: ByteSource>(from source: Source) throws(StoreError) -> [StorePath] {
        let collectionLock = try lockAgainstCollection()
        defer { withExtendedLifetime(collectionLock) {} }
        let directory = try openStoreDirectory()
        defer { FileSystem.close(directory) }
        var staged: [StagedPath] = []
        var locks: [PathLock] = []
        defer { for lock in locks { lock.release() } }
        // One set of writer threads for the whole stream; nothing waits for them before its end.
        let session = RestoreSession(canonicalIn: directory)
        func discard() {
            try? session.finish()
            for item in staged { try? FileSystem.removeTree(item.temporary, in: directory) }
        }
        do {
            var reader = ExportReader(source: source, storeDirectory: layout.storeDirectory)
            var index = 0
            while true {
                let (stagingLock, temporary) = try Self.lockStaging("import-\(getpid())-\(index)", in: directory)
                index += 1
                var restorer = TreeRestorer(creating: temporary, in: directory, label: "(import)", session: session)
                let exported: ExportedPath?
                do {
                    exported = try reader.next(visitor: &restorer)
                    try restorer.commit()
                } catch {
                    restorer.abandon()
                    stagingLock.release()
                    throw error
                }
                guard let exported else {
                    stagingLock.release()
                    break
                }
                let path = try layout.storeDirectory.parse(exported.entry.path)
                // A path twice in the stream: its lock is held already (a second flock of it from
                // this process would wait for ever), and its first copy is the one used.
                let twice = staged.contains { $0.path == path }
                if !twice { locks.append(try PathLock(baseName: path.baseName, in: directory)) }
                let valid = try twice || isValid(path)
                staged.append(StagedPath(temporary: temporary, exported: exported, path: path, alreadyValid: valid))
                locks.append(stagingLock)
            }
            try checkReferences(staged)
            do { try session.finish() } catch { throw StoreError(.fileSystem, "\(error); nothing was imported") }
            // Trees of paths valid already (or twice in the stream) are not needed.
            for item in staged where item.alreadyValid { try? FileSystem.removeTree(item.temporary, in: directory) }
        } catch let error as StoreError {
            discard()
            throw error
        } catch {
            discard()
            throw StoreError(.badInput, "\(error); nothing was imported")
        }
        let fresh = staged.filter { !$0.alreadyValid }
        // Another tool's entry with exactly a path's content is registered where it is.
        var borrowed = Set<StorePath>()
        do {
            for item in fresh
            where try prepareFinalName(item.path, narHash: item.exported.narHash, in: directory)
                == .matchingForeignEntry
            {
                borrowed.insert(item.path)
                try? FileSystem.removeTree(item.temporary, in: directory)
            }
        } catch {
            discard()
            throw error
        }
        let moved = fresh.filter { !borrowed.contains($0.path) }.map { (path: $0.path, temporary: $0.temporary) }
        do { try placeRestored(moved, in: directory, what: "imported paths") } catch {
            discard()
            throw error
        }
        let directoryPaths = layout.storeDirectory
        try register(
            try fresh.map { item throws(StoreError) in
                do {
                    return NewPath(
                        path: item.path, narHash: item.exported.narHash, narSize: item.exported.narSize,
                        references: try item.exported.entry.references.map { try directoryPaths.parse($0) },
                        deriver: try item.exported.entry.deriver.map { try directoryPaths.parse($0) },
                        contentAddress: nil, borrowed: borrowed.contains(item.path))
                } catch {
                    throw StoreError(.badInput, "\(error)")
                }
            })
        return staged.map(\.path)
    }

    /// Refuses the import unless every reference is valid or in the stream.
    private func checkReferences(_ staged: [StagedPath]) throws(StoreError) {
        let inStream = Set(staged.map(\.exported.entry.path))
        for item in staged {
            for reference in item.exported.entry.references where !inStream.contains(reference) {
                let path: StorePath
                do { path = try layout.storeDirectory.parse(reference) } catch {
                    throw StoreError(.badInput, "invalid reference '\(reference)'")
                }
                guard try isValid(path) else {
                    throw StoreError(
                        .badInput,
                        "'\(item.exported.entry.path)' refers to '\(reference)', which is neither valid nor in the stream; nothing was imported"
                    )
                }
            }
        }
    }
}
