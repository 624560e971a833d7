import Foundation
import KeelFormats

/// A signed statement that the ledger's first `size` entries have Merkle root `root`, made at
/// `time`. Checkpoints are kept apart from the entries, one JSON object per line, so cutting
/// entries off the end leaves the checkpoints that prove they existed.
public struct Checkpoint: Sendable, Equatable {
    /// How many entries the tree covers.
    public var size: UInt64
    /// The RFC 9162 root of those entries' leaf hashes.
    public var root: LedgerHash
    /// When it was signed, in microseconds since the Unix epoch.
    public var time: Int64
    /// Where entry `size` ends in the entries file: a locator, checked by verification.
    public var offset: UInt64
    /// The Ed25519 signature of `signedMessage`, as `keyname:base64`.
    public var signature: String

    /// A checkpoint with the given fields.
    public init(size: UInt64, root: LedgerHash, time: Int64, offset: UInt64, signature: String) {
        self.size = size
        self.root = root
        self.time = time
        self.offset = offset
        self.signature = signature
    }

    /// The bytes the signature covers:
    /// `keel-ledger-checkpoint/v1\n<size>\n<root hex>\n<time>\n`.
    public static func signedMessage(size: UInt64, root: LedgerHash, time: Int64) -> [UInt8] {
        Array("keel-ledger-checkpoint/v1\n\(size)\n\(root.hex)\n\(time)\n".utf8)
    }

    /// Signs a new checkpoint.
    public static func sign(
        size: UInt64, root: LedgerHash, time: Int64, offset: UInt64, with key: SigningSecretKey
    ) -> Checkpoint {
        Checkpoint(
            size: size, root: root, time: time, offset: offset,
            signature: key.sign(signedMessage(size: size, root: root, time: time)))
    }

    /// The name of the key that signed it (the part of `signature` before the colon).
    public var keyName: String { String(signature.prefix { $0 != ":" }) }

    /// Whether `key` signed it.
    public func isSigned(by key: SigningPublicKey) -> Bool {
        key.verify(signature: signature, of: Self.signedMessage(size: size, root: root, time: time))
    }

    /// The stored form: one line of JSON (no newline), keys in a fixed order.
    public var line: String {
        #"{"size":\#(size),"root":"\#(root.hex)","time":\#(time),"offset":\#(offset),"signature":"\#(signature)"}"#
    }

    /// Parses one stored line.
    ///
    /// - Throws: `CheckpointError` saying which field is missing or malformed.
    public init(line: String) throws(CheckpointError) {
        if let fast = CheckpointLineParser.parse(Array(line.utf8)[...]) {
            self = fast
            return
        }
        let decoded: Checkpoint
        do { decoded = try JSONDecoder().decode(Checkpoint.self, from: Data(line.utf8)) } catch {
            throw .malformed(
                "not a JSON object with integer size, time and offset, a 64-hex-digit root and a signature")
        }
        guard decoded.signature.utf8.contains(UInt8(ascii: ":")) else {
            throw .malformed("signature is not keyname:base64")
        }
        self = decoded
    }
}

/// Why a checkpoint line could not be read.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The line is not a checkpoint.
    case malformed(String)

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .malformed(let reason): "malformed checkpoint: \(reason)"
        }
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
