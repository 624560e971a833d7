/// A digest together with its algorithm, printable and parseable in every form Nix uses.
///
/// Forms (spec/nix-formats.md §2): base16 (`5891b5…`), Nix base32 (`00xyyr…`), SRI
/// (`sha256-WJG1…=`), and the prefixed `algo:digest` form whose digest encoding is told apart by
/// its length.
public struct NixHash: Hashable, Sendable, CustomStringConvertible {
    /// The algorithm that produced `digest`.
    public let algorithm: HashAlgorithm
    /// The raw digest, `algorithm.digestSize` bytes.
    public let digest: [UInt8]

    /// Wraps a digest; `nil` when its size does not match the algorithm.
    public init?(algorithm: HashAlgorithm, digest: [UInt8]) {
        guard digest.count == algorithm.digestSize else { return nil }
        self.algorithm = algorithm
        self.digest = digest
    }

    /// The digest in lowercase hex.
    public var base16: String { Base16.encode(digest) }
    /// The digest in Nix base32.
    public var nixBase32: String { NixBase32.encode(digest) }
    /// The digest in padded base64.
    public var base64: String { Base64.encode(digest) }
    /// The SRI form, `algo-base64`.
    public var sri: String { "\(algorithm.name)-\(base64)" }

    /// The form Nix prints with a prefix: `algo:` then the digest in the given encoding.
    public func prefixed(_ encoding: HashEncoding) -> String {
        "\(algorithm.name):\(encoded(encoding))"
    }

    /// The digest alone in the given encoding (SRI gives the full `algo-base64` form).
    public func encoded(_ encoding: HashEncoding) -> String {
        switch encoding {
        case .base16: base16
        case .nixBase32: nixBase32
        case .base64: base64
        case .sri: sri
        }
    }

    /// The SRI form.
    public var description: String { sri }

    /// Nix's 20-byte XOR fold of this digest (spec §2.4): byte `i` goes into `out[i % 20]`.
    public func compressed(to size: Int = 20) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        for (index, byte) in digest.enumerated() { output[index % size] ^= byte }
        return output
    }

    /// Parses any form Nix accepts.
    ///
    /// Accepts SRI (`sha256-…`), the prefixed form (`sha256:…`, digest in base16, Nix base32 or
    /// padded base64 told apart by length) and, when `algorithm` is given, a bare digest in any of
    /// the three encodings. As in Nix 2.8, base64 may set the unused bits of its last character,
    /// and an SRI hash may leave out its `=` padding.
    /// - Parameters:
    ///   - text: the hash text.
    ///   - algorithm: the expected algorithm; required for a bare digest, checked otherwise.
    /// - Throws: `HashParseError` naming what is wrong.
    public init(parsing text: String, algorithm expected: HashAlgorithm? = nil) throws(HashParseError) {
        var algorithm = expected
        var body = Substring(text)
        var isSRI = false
        if let colon = text.firstIndex(of: ":") {
            algorithm = try Self.algorithm(named: text[..<colon], expected: expected, in: text)
            body = text[text.index(after: colon)...]
        } else if let dash = text.firstIndex(of: "-"), let named = HashAlgorithm(rawValue: String(text[..<dash])) {
            if let expected, expected != named { throw .algorithmMismatch(text, expected: expected) }
            algorithm = named
            body = text[text.index(after: dash)...]
            isSRI = true
        }
        guard let algorithm else { throw .missingAlgorithm(text) }
        let size = algorithm.digestSize
        let digest: [UInt8]?
        if isSRI {
            digest = Base64.decodeIgnoringUnusedBits(body)
        } else if body.utf8.count == size * 2 {
            digest = Base16.decode(body)
        } else if body.utf8.count == NixBase32.encodedLength(byteCount: size) {
            digest = NixBase32.decode(body, byteCount: size)
        } else if body.utf8.count == (size + 2) / 3 * 4 {
            digest = Base64.decodeIgnoringUnusedBits(body)
        } else {
            digest = nil
        }
        guard let digest, let hash = NixHash(algorithm: algorithm, digest: digest) else {
            throw .invalidDigest(text, algorithm: algorithm)
        }
        self = hash
    }

    private static func algorithm(
        named name: Substring, expected: HashAlgorithm?, in text: String
    ) throws(HashParseError) -> HashAlgorithm {
        guard let algorithm = HashAlgorithm(rawValue: String(name)) else {
            throw .unknownAlgorithm(String(name))
        }
        if let expected, expected != algorithm { throw .algorithmMismatch(text, expected: expected) }
        return algorithm
    }
}

/// How a digest is written.
public enum HashEncoding: String, Sendable, CaseIterable {
    /// Lowercase hex.
    case base16
    /// Nix base32.
    case nixBase32 = "base32"
    /// Padded base64.
    case base64
    /// `algo-base64`.
    case sri
}

/// Why a hash string could not be parsed.
public enum HashParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The algorithm name is not one of md5, sha1, sha256, sha512.
    case unknownAlgorithm(String)
    /// A bare digest was given without saying its algorithm.
    case missingAlgorithm(String)
    /// The text names a different algorithm from the one required.
    case algorithmMismatch(String, expected: HashAlgorithm)
    /// The digest is not valid in any encoding for its algorithm.
    case invalidDigest(String, algorithm: HashAlgorithm)

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .unknownAlgorithm(let name): "unknown hash algorithm '\(name)'"
        case .missingAlgorithm(let text): "hash '\(text)' does not say its algorithm"
        case .algorithmMismatch(let text, let expected): "hash '\(text)' is not a \(expected.name) hash"
        case .invalidDigest(let text, let algorithm): "invalid \(algorithm.name) hash '\(text)'"
        }
    }
}
