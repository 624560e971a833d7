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
        let stored: StoredCheckpoint
        do {
            stored = try JSONDecoder().decode(StoredCheckpoint.self, from: Data(line.utf8))
        } catch {
            throw .malformed("not a JSON object with integer size, time and offset and text root and signature")
        }
        guard let root = LedgerHash(hex: stored.root) else { throw .malformed("root is not 64 hex digits") }
        guard stored.signature.contains(":") else { throw .malformed("signature is not keyname:base64") }
        self.init(size: stored.size, root: root, time: stored.time, offset: stored.offset, signature: stored.signature)
    }
}

/// A checkpoint line as JSON decodes it, before its fields are checked.
private struct StoredCheckpoint: Decodable {
    let size: UInt64
    let root: String
    let time: Int64
    let offset: UInt64
    let signature: String
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
