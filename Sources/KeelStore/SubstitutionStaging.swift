import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import Synchronization
import SystemPackage

/// Paths restored under temporary names in the store directory, each checked against the NAR
/// hash and size it must have, and made valid all together or not at all.
///
/// `stage` may run on several threads at once. The paths' own locks are taken only by `commit`,
/// all at once in the order of their names, so two processes substituting overlapping closures
/// never wait for each other in a cycle. `commit` or `abandon` must end every batch.
public final class SubstitutionStaging: Sendable {
    /// A staged tree and the lock of its temporary name. The lock is taken on the staging thread
    /// and released once, by whoever ends the batch: handing it over is safe.
    private struct Staged: @unchecked Sendable {
        let temporary: [UInt8]
        let stagingLock: PathLock
    }

    /// The collection lock, held until the batch ends and then let go of once.
    private struct HeldCollectionLock: @unchecked Sendable {
        let lock: GarbageCollectionLock
    }

    private struct State {
        var staged: [StorePath: Staged] = [:]
        var collectionLock: HeldCollectionLock?
        var ended = false
    }

    private let store: LocalStore
    private let directory: FileDescriptor
    private let state: Mutex<State>

    init(store: LocalStore) throws(StoreError) {
        self.store = store
        let collectionLock = try store.lockAgainstCollection()
        directory = try store.openStoreDirectory()
        state = Mutex(State(collectionLock: HeldCollectionLock(lock: collectionLock)))
    }

    /// Restores the NAR read from `source` as `path` under a temporary name, strictly parsed
    /// and hashed on the way; returns false, reading nothing, when `path` is valid already.
    ///
    /// - Throws: `StoreError.Code.badInput` for a malformed NAR or one whose sha256 or size is
    ///   not `narHash` and `narSize` (naming the path and both values); nothing of it is kept.
    @discardableResult
    public func stage<Source: ByteSource>(
        _ path: StorePath, narHash: NixHash, narSize: UInt64, from source: Source
    ) throws(StoreError) -> Bool {
        let full = store.fullPath(path)
        if try store.isValid(path) { return false }
        let (stagingLock, temporary): (PathLock, [UInt8])
        do {
            (stagingLock, temporary) = try LocalStore.lockStaging(
                "substitute-\(getpid())-\(UInt64.random(in: 0...UInt64.max))", in: directory)
        } catch {
            throw StoreError(.fileSystem, "cannot lock a temporary name in the store directory", cause: error)
        }
        var restorer = TreeRestorer(creating: temporary, in: directory, label: full, canonical: true)
        var reader = ByteReader(source: source, bufferSize: 1 << 20)
        var failure: StoreError?
        do {
            let (hash, size) = try NARReader.parseWhole(&reader, visitor: &restorer)
            try restorer.commit()
            if hash != narHash || size != narSize {
                try? FileSystem.removeTree(temporary, in: directory)
                failure = StoreError(
                    .badInput,
                    "the NAR of '\(full)' hashes to \(hash.prefixed(.nixBase32)) (\(size) bytes), not \(narHash.prefixed(.nixBase32)) (\(narSize) bytes)"
                )
            }
        } catch let error as StoreError {
            restorer.abandon()
            failure = error
        } catch {
            restorer.abandon()
            failure = StoreError(.badInput, "the NAR of '\(full)' is unusable: \(error)")
        }
        if let failure {
            stagingLock.release()
            throw failure
        }
        let kept = state.withLock { state in
            guard !state.ended, state.staged[path] == nil else { return false }
            state.staged[path] = Staged(temporary: temporary, stagingLock: stagingLock)
            return true
        }
        if !kept {
            try? FileSystem.removeTree(temporary, in: directory)
            stagingLock.release()
            throw StoreError(.badInput, "'\(full)' was staged twice, or after its batch ended")
        }
        return true
    }

    /// Removes `path`'s staged tree (a check after staging failed), so it can be staged again.
    public func discard(_ path: StorePath) {
        guard let entry = state.withLock({ $0.staged.removeValue(forKey: path) }) else { return }
        try? FileSystem.removeTree(entry.temporary, in: directory)
        entry.stagingLock.release()
    }

    /// Makes `paths` valid in one transaction, with their signatures, and returns those it
    /// registered: under the paths' locks, the staged ones not valid by now are made durable
    /// and renamed into place; any other must be valid already. Each reference must be valid
    /// or among `paths`. On failure nothing is registered and the batch is abandoned. Staged
    /// paths left out of `paths` are removed.
    ///
    /// The signatures are written in a second transaction just after the registration (the
    /// store's registration does not take them); a crash between the two leaves the paths
    /// valid without signatures.
    @discardableResult
    public func commit(_ paths: [SubstitutedPath]) throws(StoreError) -> [StorePath] {
        let registered: [StorePath]
        do {
            registered = try commitOrThrow(paths)
        } catch {
            abandon()
            throw error
        }
        endBatch()
        return registered
    }

    private func commitOrThrow(_ paths: [SubstitutedPath]) throws(StoreError) -> [StorePath] {
        let staged = state.withLock { $0.staged }
        let inBatch = Set(paths.map(\.path))
        var pathLocks: [PathLock] = []
        defer { for lock in pathLocks { lock.release() } }
        // Each path locked once: a second flock of it from this process would wait for ever.
        for path in inBatch.sorted(by: { $0.baseName < $1.baseName }) where staged[path] != nil {
            do { pathLocks.append(try PathLock(baseName: path.baseName, in: directory)) } catch {
                throw StoreError(.fileSystem, "cannot lock '\(store.fullPath(path))'", cause: error)
            }
        }
        var fresh: [SubstitutedPath] = []
        var seen = Set<StorePath>()
        for item in paths where seen.insert(item.path).inserted {
            if try store.isValid(item.path) { continue }
            guard staged[item.path] != nil else {
                throw StoreError(.badInput, "'\(store.fullPath(item.path))' was not staged and is not valid")
            }
            fresh.append(item)
        }
        for item in paths {
            for reference in item.references where !inBatch.contains(reference) {
                guard try store.isValid(reference) else {
                    throw StoreError(
                        .badInput,
                        "'\(store.fullPath(item.path))' refers to '\(store.fullPath(reference))', which is neither valid nor substituted with it"
                    )
                }
            }
        }
        var borrowed = Set<StorePath>()
        for item in fresh
        where try store.prepareFinalName(item.path, narHash: item.narHash, in: directory) == .matchingForeignEntry {
            borrowed.insert(item.path)
            if let entry = staged[item.path] { try? FileSystem.removeTree(entry.temporary, in: directory) }
        }
        // Every fresh path was found staged above.
        let moved = fresh.filter { !borrowed.contains($0.path) }.compactMap { item in
            staged[item.path].map { (path: item.path, temporary: $0.temporary) }
        }
        try store.placeRestored(moved, in: directory, what: "substituted paths")
        try store.register(
            fresh.map { item in
                NewPath(
                    path: item.path, narHash: item.narHash, narSize: item.narSize, references: item.references,
                    deriver: item.deriver, contentAddress: item.contentAddress, borrowed: borrowed.contains(item.path))
            })
        let signed = fresh.filter { !$0.signatures.isEmpty }.map {
            (store.fullPath($0.path), $0.signatures.sorted().joined(separator: " "))
        }
        if !signed.isEmpty {
            try store.write { db in
                for (path, signatures) in signed {
                    try db.execute(
                        sql: "UPDATE ValidPaths SET sigs = ? WHERE path = ? AND sigs IS NULL",
                        arguments: [signatures, path])
                }
            }
        }
        return fresh.map(\.path)
    }

    /// Removes every staged tree not committed and releases the locks; nothing is registered.
    /// Ending a batch again does nothing.
    public func abandon() {
        endBatch()
    }

    private func endBatch() {
        let ending: (staged: [Staged], lock: HeldCollectionLock?)? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            defer {
                state.staged = [:]
                state.collectionLock = nil
            }
            return (Array(state.staged.values), state.collectionLock)
        }
        guard let ending else { return }
        for entry in ending.staged {
            // A committed tree was renamed away; its temporary name, still locked, is empty.
            try? FileSystem.removeTree(entry.temporary, in: directory)
            entry.stagingLock.release()
        }
        withExtendedLifetime(ending.lock) {}
        FileSystem.close(directory)
    }
}
