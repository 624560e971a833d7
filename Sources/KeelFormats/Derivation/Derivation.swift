/// A Nix derivation: how to build one or more outputs (spec/nix-formats.md §4).
///
/// Paths are full paths as written in the `.drv` file (`/nix/store/…`). Collections are kept in
/// the canonical order the ATerm form requires: outputs by name, input derivations by path (each
/// with sorted output names), input sources sorted, environment by key bytes; arguments keep
/// their order.
public struct Derivation: Hashable, Sendable {
    /// One output of a derivation.
    public struct Output: Hashable, Sendable {
        /// The output path, or empty when deferred or masked.
        public var path: String
        /// `""` for input-addressed outputs, else `[r:]md5|sha1|sha256|sha512`.
        public var hashAlgorithm: String
        /// `""` for input-addressed outputs, else the expected digest in hex.
        public var hash: String

        /// Makes an output.
        public init(path: String, hashAlgorithm: String = "", hash: String = "") {
            self.path = path
            self.hashAlgorithm = hashAlgorithm
            self.hash = hash
        }

        /// What kind of output this is, told apart as Nix 2.8 does by which fields are empty.
        public var kind: Kind {
            switch (hashAlgorithm.isEmpty, hash.isEmpty) {
            case (true, true): path.isEmpty ? .deferred : .inputAddressed
            case (true, false): .hashWithoutAlgorithm
            case (false, true): .floating
            case (false, false): hash == "impure" ? .impure : .fixed
            }
        }

        /// Whether this is a fixed output (its algorithm and hash are declared).
        public var isFixed: Bool { kind == .fixed }

        /// The declared content address of a fixed output: method (flat, or `r:` recursive) and
        /// hash, read as Nix 2.8 reads it (the digest in base16, Nix base32 or base64, told
        /// apart by length).
        ///
        /// - Throws: `DerivationError` with Nix's wording for an unknown algorithm or a bad digest.
        public func fixedContentAddress() throws(DerivationError) -> ContentAddress {
            var algorithmName = Substring(hashAlgorithm)
            var method = ContentAddressMethod.flat
            if algorithmName.hasPrefix("r:") {
                method = .recursive
                algorithmName = algorithmName.dropFirst(2)
            }
            guard let algorithm = HashAlgorithm(rawValue: String(algorithmName)) else {
                throw .unknownHashAlgorithm(String(algorithmName))
            }
            let size = algorithm.digestSize
            let digest: [UInt8]?
            let encoding: String
            switch hash.utf8.count {
            case size * 2: (digest, encoding) = (Base16.decode(hash), "base-16")
            case NixBase32.encodedLength(byteCount: size):
                (digest, encoding) = (NixBase32.decode(hash, byteCount: size), "base-32")
            case (size + 2) / 3 * 4: (digest, encoding) = (Base64.decodeIgnoringUnusedBits(hash), "base-64")
            default: throw .wrongHashLength(hash, algorithm: algorithm)
            }
            guard let digest, let parsed = NixHash(algorithm: algorithm, digest: digest) else {
                throw .invalidHashDigest(hash, encoding: encoding)
            }
            return ContentAddress(method: method, hash: parsed)
        }

        /// The kinds of output.
        public enum Kind: Sendable {
            /// A path computed from the derivation's inputs.
            case inputAddressed
            /// No path yet (it depends on floating content-addressed inputs).
            case deferred
            /// A path computed from a declared hash.
            case fixed
            /// A content address known only after the build (`ca-derivations`).
            case floating
            /// An impure output (`impure-derivations`).
            case impure
            /// A hash without an algorithm, which no Nix writes.
            case hashWithoutAlgorithm
        }
    }

    /// The outputs by name.
    public var outputs: [String: Output]
    /// The input derivations (full `.drv` paths) and the outputs used from each.
    public var inputDerivations: [String: Set<String>]
    /// The input sources (full store paths).
    public var inputSources: Set<String>
    /// The platform, such as `x86_64-linux`.
    public var platform: String
    /// The builder program.
    public var builder: ByteString
    /// The builder's arguments, in order.
    public var arguments: [ByteString]
    /// The environment.
    public var environment: [ByteString: ByteString]

    /// Makes a derivation.
    public init(
        outputs: [String: Output], inputDerivations: [String: Set<String>], inputSources: Set<String>,
        platform: String, builder: ByteString, arguments: [ByteString], environment: [ByteString: ByteString]
    ) {
        self.outputs = outputs
        self.inputDerivations = inputDerivations
        self.inputSources = inputSources
        self.platform = platform
        self.builder = builder
        self.arguments = arguments
        self.environment = environment
    }

    /// Whether this is a fixed-output derivation: one output, `out`, with a declared hash.
    public var isFixedOutput: Bool {
        outputs.count == 1 && outputs["out"]?.isFixed == true
    }

    /// Output names in canonical (byte) order.
    public var outputNames: [String] { outputs.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
}
