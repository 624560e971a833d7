/// A store path's identity: its 32-character hash part and its name, without the store directory.
///
/// Rules (spec/nix-formats.md §3.1): the hash part is 32 Nix-base32 characters (20 bytes); the
/// name is 1–211 characters from `[A-Za-z0-9+-._?=]`, and is not `.`, `..`, nor starts with `.-`
/// or `..-`. Comparison and sorting follow the base name's bytes, as Nix sorts full paths of one
/// store directory.
public struct StorePath: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number of characters in the hash part.
    public static let hashPartLength = 32
    /// The longest name Nix accepts.
    public static let maxNameLength = 211

    /// The 32-character Nix-base32 hash part.
    public let hashPart: String
    /// The name after the dash.
    public let name: String

    /// Makes a store path from a validated hash part and name.
    ///
    /// - Throws: `StorePathError` when either part breaks the rules.
    public init(hashPart: String, name: String) throws(StorePathError) {
        try Self.validateHashPart(hashPart)
        try Self.validateName(name)
        self.hashPart = hashPart
        self.name = name
    }

    /// Makes a store path from a 20-byte digest and a name.
    public init(digest: [UInt8], name: String) throws(StorePathError) {
        precondition(digest.count == 20, "a store path hash is 20 bytes")
        try self.init(hashPart: NixBase32.encode(digest), name: name)
    }

    /// Parses a base name, `<hash>-<name>`.
    public init(baseName: some StringProtocol) throws(StorePathError) {
        let bytes = Array(baseName.utf8)
        guard bytes.count > Self.hashPartLength + 1, bytes[Self.hashPartLength] == UInt8(ascii: "-") else {
            throw .malformedBaseName(String(baseName))
        }
        let hash = String(decoding: bytes[..<Self.hashPartLength], as: UTF8.self)
        let name = String(decoding: bytes[(Self.hashPartLength + 1)...], as: UTF8.self)
        try self.init(hashPart: hash, name: name)
    }

    /// `<hash>-<name>`.
    public var baseName: String { "\(hashPart)-\(name)" }

    /// The base name.
    public var description: String { baseName }

    /// The 20 bytes the hash part encodes.
    public var digest: [UInt8] { NixBase32.decode(hashPart, byteCount: 20)! }

    /// Orders by base name bytes: hash parts all have one length, so by the hash part's bytes,
    /// then the name's (without building either base name).
    public static func < (lhs: StorePath, rhs: StorePath) -> Bool {
        if lhs.hashPart != rhs.hashPart { return lhs.hashPart.utf8.lexicographicallyPrecedes(rhs.hashPart.utf8) }
        return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }

    /// Checks a hash part: 32 characters of the Nix base32 alphabet.
    public static func validateHashPart(_ hashPart: String) throws(StorePathError) {
        let bytes = Array(hashPart.utf8)
        guard bytes.count == hashPartLength, bytes.allSatisfy(NixBase32.isValidCharacter) else {
            throw .invalidHashPart(hashPart)
        }
    }

    /// Checks a name against Nix's rules.
    public static func validateName(_ name: String) throws(StorePathError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { throw .emptyName }
        guard bytes.count <= maxNameLength else { throw .nameTooLong(name, length: bytes.count) }
        if name == "." || name == ".." || name.hasPrefix(".-") || name.hasPrefix("..-") {
            throw .reservedName(name)
        }
        for scalar in name.unicodeScalars where !isNameCharacter(scalar) {
            throw .illegalCharacter(name, character: scalar)
        }
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "+", "-", ".", "_", "?", "=": true
        default: false
        }
    }
}

/// Why a store path or one of its parts is invalid.
public enum StorePathError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The hash part is not 32 Nix-base32 characters.
    case invalidHashPart(String)
    /// The name is empty.
    case emptyName
    /// The name is longer than 211 bytes.
    case nameTooLong(String, length: Int)
    /// The name is `.`, `..`, or starts with `.-` or `..-`.
    case reservedName(String)
    /// The name holds a character outside `[A-Za-z0-9+-._?=]`.
    case illegalCharacter(String, character: Unicode.Scalar)
    /// The base name is not `<32 characters>-<name>`.
    case malformedBaseName(String)
    /// The path is not directly inside the store directory.
    case notInStore(String, storeDirectory: String)
    /// The store directory is not an absolute, normalised path.
    case invalidStoreDirectory(String)

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .invalidHashPart(let hash): "invalid store path hash part '\(hash)'"
        case .emptyName: "store path name is empty"
        case .nameTooLong(let name, let length):
            "store path name '\(name.prefix(40))…' is \(length) characters long; the limit is \(StorePath.maxNameLength)"
        case .reservedName(let name): "store path name '\(name)' is not allowed"
        case .illegalCharacter(let name, let character):
            "store path name '\(name)' contains illegal character '\(character)'"
        case .malformedBaseName(let text): "'\(text)' is not a store path base name (<hash>-<name>)"
        case .notInStore(let path, let store): "path '\(path)' is not in the store directory '\(store)'"
        case .invalidStoreDirectory(let dir):
            "store directory '\(dir)' must be an absolute path without a trailing slash"
        }
    }
}
