/// One event of the audit ledger, as stored: what happened, who did it, when, and the links
/// that chain it to the entry before.
public struct LedgerEntry: Sendable, Equatable {
    /// The position in the log, from 1, without gaps.
    public var sequence: UInt64
    /// When it was appended, in microseconds since 1970-01-01T00:00:00Z.
    public var time: Int64
    /// Who caused it: `keel`, `user:NAME(UID)`, `uid:UID` or `api:CLIENT`.
    public var actor: String
    /// What kind of change it records, such as `switch`, `gc` or `agent.restart`.
    public var kind: String
    /// What it is about (a generation, a store path, an agent's name...).
    public var subject: String
    /// A JSON object with the event's details, in the canonical text it was hashed with.
    public var details: String
    /// The hash of entry `sequence − 1` (all zeros for entry 1).
    public var previousHash: LedgerHash

    /// An entry with the given fields.
    public init(
        sequence: UInt64, time: Int64, actor: String, kind: String, subject: String, details: String,
        previousHash: LedgerHash
    ) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.kind = kind
        self.subject = subject
        self.details = details
        self.previousHash = previousHash
    }

    /// The canonical bytes this entry is hashed over (docs/ledger-format.md, "Entries").
    public var body: [UInt8] { EntryEncoding.body(of: self) }

    /// The entry's hash: `SHA-256(0x00 ‖ body)`, which is also its leaf hash in the Merkle tree.
    public var hash: LedgerHash { MerkleHash.leaf(body) }
}

/// An event to append: the ledger fills in the sequence number, time and chain link.
public struct LedgerDraft: Sendable, Equatable {
    /// Who caused it.
    public var actor: String
    /// What kind of change it records.
    public var kind: String
    /// What it is about.
    public var subject: String
    /// A JSON object with the details, already canonical (see `LedgerDetails`).
    public var details: String

    /// A draft with the given fields.
    public init(actor: String, kind: String, subject: String, details: String = "{}") {
        self.actor = actor
        self.kind = kind
        self.subject = subject
        self.details = details
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
