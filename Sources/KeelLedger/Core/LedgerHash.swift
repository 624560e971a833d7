import Crypto
import KeelFormats

/// A SHA-256 value of the ledger: an entry's hash, a Merkle node or a tree root (32 bytes).
///
/// Stored inline (no heap), so a verifier can handle millions of them cheaply.
public struct LedgerHash: Hashable, Sendable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// The hash whose bytes are `bytes`; `nil` unless there are exactly 32.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            for (index, byte) in bytes.enumerated() { target[index] = byte }
        }
    }

    /// The hash stored in the 32 bytes at the start of `buffer`.
    ///
    /// - Important: `buffer` must hold at least 32 bytes.
    public init(loading buffer: UnsafeRawBufferPointer) {
        precondition(buffer.count >= 32, "a ledger hash is 32 bytes")
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<32])) }
    }

    /// The hash in lower-case hexadecimal (64 characters); `nil` for any other text.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 64, let bytes = Base16.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    init(digest: SHA256.Digest) {
        words = (0, 0, 0, 0)
        digest.withUnsafeBytes { source in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) }
        }
    }

    /// All zero bytes: the previous hash of the first entry.
    public static let zero = LedgerHash(bytes: [UInt8](repeating: 0, count: 32))!

    /// The 32 bytes.
    public var bytes: [UInt8] { Swift.withUnsafeBytes(of: words) { Array($0) } }

    /// Calls `body` with the 32 bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// Lower-case hexadecimal.
    public var hex: String { Base16.encode(bytes) }

    /// Lower-case hexadecimal.
    public var description: String { hex }

    /// Compares the 32 bytes.
    public static func == (lhs: LedgerHash, rhs: LedgerHash) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    /// Hashes the 32 bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
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
