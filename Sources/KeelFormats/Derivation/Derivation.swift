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

        /// Whether this is a fixed output (its hash is declared).
        public var isFixed: Bool { !hash.isEmpty }

        /// The declared content address of a fixed output: method and hash.
        ///
        /// - Throws: `DerivationError.invalidFixedOutput` for an unknown algorithm or bad digest.
        public func fixedContentAddress() throws(DerivationError) -> ContentAddress {
            var algorithmName = Substring(hashAlgorithm)
            var method = ContentAddressMethod.flat
            if algorithmName.hasPrefix("r:") {
                method = .recursive
                algorithmName = algorithmName.dropFirst(2)
            } else if algorithmName.hasPrefix("text:") {
                method = .text
                algorithmName = algorithmName.dropFirst(5)
            }
            guard let algorithm = HashAlgorithm(rawValue: String(algorithmName)),
                let digest = Base16.decode(hash), let parsed = NixHash(algorithm: algorithm, digest: digest)
            else { throw .invalidFixedOutput(hashAlgorithm, hash) }
            return ContentAddress(method: method, hash: parsed)
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

    /// The derivation's name: its `name` environment variable.
    public var name: String? { environment["name"].flatMap(\.utf8String) }

    /// Whether this is a fixed-output derivation: one output, `out`, with a declared hash.
    public var isFixedOutput: Bool {
        outputs.count == 1 && outputs["out"]?.isFixed == true
    }

    /// Output names in canonical (byte) order.
    public var outputNames: [String] { outputs.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
}
