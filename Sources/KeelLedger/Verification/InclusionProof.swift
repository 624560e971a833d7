import Foundation
import KeelFormats

/// An inclusion proof as `keel ledger prove` prints it: an entry, its audit path and the signed
/// checkpoint whose root the path leads to (docs/ledger-format.md, "Proofs").
public struct InclusionProof: Codable, Sendable, Equatable {
    /// Always `keel-ledger-inclusion-proof/v1`.
    public var type = InclusionProof.typeName
    /// The entry proved.
    public var entry: LedgerEntry
    /// The tree size of the checkpoint.
    public var treeSize: UInt64
    /// The RFC 9162 audit path, nearest sibling first, in hex.
    public var path: [LedgerHash]
    /// The signed checkpoint.
    public var checkpoint: Checkpoint

    /// The type tag.
    public static let typeName = "keel-ledger-inclusion-proof/v1"

    /// Proves entry `sequence` against the latest checkpoint that covers it.
    ///
    /// - Throws: `.notFound` when no checkpoint covers the entry yet.
    public static func make(sequence: UInt64, in snapshot: LedgerSnapshot) throws -> InclusionProof {
        guard let checkpoint = try snapshot.latestCheckpoint(), sequence >= 1, sequence <= checkpoint.size else {
            throw LedgerError(.notFound, "entry \(sequence) is not covered by the latest checkpoint")
        }
        var found: LedgerEntry?
        _ = try snapshot.entries(from: sequence) { entry in
            found = entry.sequence == sequence ? entry : nil
            return false
        }
        guard let entry = found else { throw LedgerError(.notFound, "there is no entry \(sequence)") }
        let path = try MerkleProof.inclusionPath(index: sequence - 1, size: checkpoint.size, in: snapshot.nodes)
        return InclusionProof(entry: entry, treeSize: checkpoint.size, path: path, checkpoint: checkpoint)
    }

    /// Why the proof does not hold against `key`, or `nil` when it does.
    public func problem(trusting key: SigningPublicKey) -> String? {
        guard type == Self.typeName else { return "not an inclusion proof (type \(type))" }
        guard checkpoint.size == treeSize else { return "the proof's tree size is not its checkpoint's" }
        guard checkpoint.isSigned(by: key) else {
            return "the checkpoint is not signed by the trusted key \(key.name)"
        }
        guard entry.sequence >= 1,
            MerkleProof.verifyInclusion(
                leaf: entry.hash, index: entry.sequence - 1, size: treeSize, path: path, root: checkpoint.root)
        else { return "the audit path does not lead from entry \(entry.sequence) to the checkpoint's root" }
        return nil
    }
}
