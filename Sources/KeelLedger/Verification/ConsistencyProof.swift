import Foundation
import KeelFormats

/// A consistency proof as `keel ledger consistency` prints it: two signed checkpoints and the
/// RFC 9162 path showing the older tree is a prefix of the newer.
public struct ConsistencyProof: Codable, Sendable, Equatable {
    /// Always `keel-ledger-consistency-proof/v1`.
    public var type = ConsistencyProof.typeName
    /// The older tree's signed checkpoint.
    public var old: Checkpoint
    /// The newer tree's signed checkpoint.
    public var new: Checkpoint
    /// The consistency path, in hex.
    public var path: [LedgerHash]

    /// The type tag.
    public static let typeName = "keel-ledger-consistency-proof/v1"

    /// Proves that the first `oldSize` entries are a prefix of the first `newSize`.
    ///
    /// Uses the stored checkpoints of those sizes; signs fresh ones with `key` for sizes that
    /// have none.
    public static func make(
        oldSize: UInt64, newSize: UInt64, in snapshot: LedgerSnapshot, key: SigningSecretKey?,
        now: Int64 = LedgerClock.now()
    ) throws -> ConsistencyProof {
        guard oldSize <= newSize else {
            throw LedgerError(.badInput, "the old size \(oldSize) exceeds the new size \(newSize)")
        }
        let stored = try snapshot.checkpoints()
        let available = stored.map(\.size).max() ?? 0
        guard newSize <= available else {
            throw LedgerError(.notFound, "the latest checkpoint covers \(available) entries, fewer than \(newSize)")
        }
        func checkpoint(_ size: UInt64) throws -> Checkpoint {
            if let found = stored.last(where: { $0.size == size }) { return found }
            guard let key else {
                throw LedgerError(
                    .notFound, "no checkpoint has size \(size), and without the secret key keel cannot sign one")
            }
            let root = size == 0 ? MerkleHash.emptyRoot : try MerkleProof.subtreeRoot(0, size, in: snapshot.nodes)
            let end = try offset(after: size, in: snapshot)
            return Checkpoint.sign(size: size, root: root, time: now, offset: end, with: key)
        }
        let path = try MerkleProof.consistencyPath(oldSize: oldSize, newSize: newSize, in: snapshot.nodes)
        return ConsistencyProof(old: try checkpoint(oldSize), new: try checkpoint(newSize), path: path)
    }

    private static func offset(after size: UInt64, in snapshot: LedgerSnapshot) throws -> UInt64 {
        guard size > 0 else { return UInt64(LedgerDirectory.entriesMagic.count) }
        var end: UInt64?
        _ = try snapshot.entriesWithEnds(from: size) { sequence, recordEnd in
            if sequence == size { end = recordEnd }
            return false
        }
        guard let end else { throw LedgerError(.notFound, "there is no entry \(size)") }
        return end
    }

    /// Why the proof does not hold against `key`, or `nil` when it does.
    public func problem(trusting key: SigningPublicKey) -> String? {
        guard type == Self.typeName else { return "not a consistency proof (type \(type))" }
        guard old.isSigned(by: key) else { return "the old checkpoint is not signed by the trusted key \(key.name)" }
        guard new.isSigned(by: key) else { return "the new checkpoint is not signed by the trusted key \(key.name)" }
        guard
            MerkleProof.verifyConsistency(
                oldSize: old.size, newSize: new.size, oldRoot: old.root, newRoot: new.root, path: path)
        else { return "the path does not show the tree of \(old.size) entries is a prefix of the tree of \(new.size)" }
        return nil
    }
}
