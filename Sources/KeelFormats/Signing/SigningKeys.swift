import Crypto
import Foundation

/// An Ed25519 secret key in Nix's key-file form: `name:base64(seed ‖ public key)`, 64 bytes in
/// libsodium's layout (spec/nix-formats.md §5.4), as `nix-store --generate-binary-cache-key`
/// writes it.
public struct SigningSecretKey: Sendable {
    /// The key's name, written before every signature it makes.
    public let name: String
    private let key: Curve25519.Signing.PrivateKey

    /// Makes a new random key.
    public static func generate(name: String) throws(SigningKeyError) -> SigningSecretKey {
        try SigningSecretKey(name: name, key: Curve25519.Signing.PrivateKey())
    }

    private init(name: String, key: Curve25519.Signing.PrivateKey) throws(SigningKeyError) {
        guard !name.isEmpty, !name.contains(":") else { throw .invalidName(name) }
        self.name = name
        self.key = key
    }

    /// Parses a secret key file's contents (surrounding whitespace ignored).
    public init(parsing text: String) throws(SigningKeyError) {
        let (name, bytes) = try SigningKeyText.split(text, what: "secret key")
        guard bytes.count == 64 else { throw .invalidLength(what: "secret key", bytes.count, expected: 64) }
        let key: Curve25519.Signing.PrivateKey
        do { key = try Curve25519.Signing.PrivateKey(rawRepresentation: bytes[..<32]) } catch {
            throw .malformed(what: "secret key")
        }
        guard Array(key.publicKey.rawRepresentation) == Array(bytes[32...]) else { throw .inconsistent }
        try self.init(name: name, key: key)
    }

    /// The key file text: `name:base64`, no newline.
    public var text: String {
        "\(name):\(Base64.encode(Array(key.rawRepresentation) + Array(key.publicKey.rawRepresentation)))"
    }

    /// The matching public key.
    public var publicKey: SigningPublicKey {
        SigningPublicKey(name: name, key: key.publicKey)
    }

    /// Signs `message`; returns `name:base64(signature)`. Ed25519 is deterministic, so the same
    /// key and message always give the same signature.
    public func sign(_ message: some Sequence<UInt8>) -> String {
        let signature = try! key.signature(for: Array(message))
        return "\(name):\(Base64.encode(Array(signature)))"
    }
}

/// An Ed25519 public key in Nix's form: `name:base64(32 bytes)`.
public struct SigningPublicKey: Sendable {
    /// The key's name; only signatures carrying this name are checked against it.
    public let name: String
    private let key: Curve25519.Signing.PublicKey

    init(name: String, key: Curve25519.Signing.PublicKey) {
        self.name = name
        self.key = key
    }

    /// Parses a public key file's contents (surrounding whitespace ignored).
    public init(parsing text: String) throws(SigningKeyError) {
        let (name, bytes) = try SigningKeyText.split(text, what: "public key")
        guard bytes.count == 32 else { throw .invalidLength(what: "public key", bytes.count, expected: 32) }
        do { key = try Curve25519.Signing.PublicKey(rawRepresentation: bytes) } catch {
            throw .malformed(what: "public key")
        }
        self.name = name
    }

    /// The key file text: `name:base64`.
    public var text: String { "\(name):\(Base64.encode(Array(key.rawRepresentation)))" }

    /// Whether `signature` (`name:base64`) is this key's valid signature of `message`.
    ///
    /// A signature by another key name, or whose bytes are not 64 long, is not valid.
    public func verify(signature: String, of message: some Sequence<UInt8>) -> Bool {
        guard let colon = signature.firstIndex(of: ":"), signature[..<colon] == name,
            let bytes = Base64.decode(signature[signature.index(after: colon)...]), bytes.count == 64
        else { return false }
        return key.isValidSignature(bytes, for: Array(message))
    }
}

/// Splitting `name:base64` key text.
enum SigningKeyText {
    static func split(_ text: String, what: String) throws(SigningKeyError) -> (String, [UInt8]) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let colon = trimmed.firstIndex(of: ":") else { throw .malformed(what: what) }
        let name = String(trimmed[..<colon])
        guard !name.isEmpty else { throw .invalidName(name) }
        guard let bytes = Base64.decode(trimmed[trimmed.index(after: colon)...]) else { throw .malformed(what: what) }
        return (name, bytes)
    }
}

/// Why a key could not be read or made.
public enum SigningKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not `name:base64`.
    case malformed(what: String)
    /// An empty name or one holding `:`.
    case invalidName(String)
    /// The decoded key has the wrong size.
    case invalidLength(what: String, Int, expected: Int)
    /// A secret key whose second half is not the public key of its first.
    case inconsistent

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .malformed(let what): "\(what) is not in the form name:base64"
        case .invalidName(let name): "invalid key name '\(name)'"
        case .invalidLength(let what, let count, let expected): "\(what) is \(count) bytes; expected \(expected)"
        case .inconsistent: "secret key's public half does not match its seed"
        }
    }
}
