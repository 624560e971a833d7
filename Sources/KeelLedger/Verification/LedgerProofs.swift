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
        guard let checkpoint = try snapshot.checkpoints().last, sequence >= 1, sequence <= checkpoint.size else {
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

extension LedgerHash: Codable {
    /// Decodes 64 hex digits.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = LedgerHash(hex: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not 64 hex digits"))
        }
        self = hash
    }

    /// Encodes 64 hex digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

extension LedgerEntry: Codable {
    private enum CodingKeys: String, CodingKey {
        case sequence, time, actor, kind, subject, details, previousHash
    }

    /// Decodes the stored fields (`details` is the canonical text, `time` microseconds).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sequence: try container.decode(UInt64.self, forKey: .sequence),
            time: try container.decode(Int64.self, forKey: .time),
            actor: try container.decode(String.self, forKey: .actor),
            kind: try container.decode(String.self, forKey: .kind),
            subject: try container.decode(String.self, forKey: .subject),
            details: try container.decode(String.self, forKey: .details),
            previousHash: try container.decode(LedgerHash.self, forKey: .previousHash))
    }

    /// Encodes the stored fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(time, forKey: .time)
        try container.encode(actor, forKey: .actor)
        try container.encode(kind, forKey: .kind)
        try container.encode(subject, forKey: .subject)
        try container.encode(details, forKey: .details)
        try container.encode(previousHash, forKey: .previousHash)
    }
}

extension Checkpoint: Codable {
    private enum CodingKeys: String, CodingKey {
        case size, root, time, offset, signature
    }

    /// Decodes the fields of a checkpoint line.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            size: try container.decode(UInt64.self, forKey: .size),
            root: try container.decode(LedgerHash.self, forKey: .root),
            time: try container.decode(Int64.self, forKey: .time),
            offset: try container.decode(UInt64.self, forKey: .offset),
            signature: try container.decode(String.self, forKey: .signature))
    }

    /// Encodes the fields of a checkpoint line.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(size, forKey: .size)
        try container.encode(root, forKey: .root)
        try container.encode(time, forKey: .time)
        try container.encode(offset, forKey: .offset)
        try container.encode(signature, forKey: .signature)
    }
}
