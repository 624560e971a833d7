/// Why a derivation could not be parsed, validated or its paths computed.
///
/// Where Nix 2.8 refuses the same derivation, the message is Nix's wording.
public enum DerivationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The ATerm text is malformed at a byte offset.
    case syntax(offset: Int, message: String)
    /// The derivation has no outputs.
    case noOutputs
    /// An output name that cannot name an output (empty, `drv`, or a character a store path
    /// name cannot hold).
    case invalidOutputName(String)
    /// An output with a hash but no hash algorithm.
    case hashWithoutAlgorithm(output: String)
    /// A hash algorithm other than `md5`, `sha1`, `sha256` or `sha512` (after an optional `r:`).
    case unknownHashAlgorithm(String)
    /// A fixed output's digest has the wrong length for its algorithm.
    case wrongHashLength(String, algorithm: HashAlgorithm)
    /// A fixed output's digest has a character its encoding does not allow.
    case invalidHashDigest(String, encoding: String)
    /// An output kind that needs an experimental Nix feature (`ca-derivations`,
    /// `impure-derivations`), which Keel does not implement.
    case experimentalFeature(String)
    /// More than one fixed output.
    case multipleFixedOutputs
    /// The one fixed output is not named `out`.
    case fixedOutputNotNamedOut(String)
    /// Fixed outputs together with outputs of another kind.
    case mixedOutputTypes
    /// `builtin:fetchurl` without an output named `out`; the outputs it has instead.
    case fetchURLWithoutOut([String])
    /// `builtin:fetchurl` whose output is not fixed.
    case fetchURLNotFixed
    /// A built-in builder lacks an attribute it reads.
    case builtinAttributeMissing(builder: String, attribute: String)
    /// A `builtin:` builder Keel does not have.
    case unsupportedBuiltin(String)
    /// The `__json` attribute (structured attributes) is not a JSON object, or an attribute in it
    /// has the wrong type.
    case invalidStructuredAttributes(String)
    /// A file name a derivation's name cannot be taken from: it does not end in `.drv`.
    case notDerivationFileName(String)
    /// A derivation name that cannot name a store path.
    case invalidName(String, StorePathError)
    /// A path in the derivation is not a valid store path of the store directory.
    case invalidPath(String, StorePathError)
    /// An input derivation could not be loaded.
    case inputUnavailable(String, reason: String)
    /// An input derivation lacks an output the derivation uses.
    case missingInputOutput(derivation: String, output: String)
    /// An output path written in the derivation differs from the computed one.
    case wrongOutputPath(output: String, written: String, computed: String)
    /// The environment variable named after an output is missing or is not the output's path.
    case wrongOutputVariable(output: String, computed: String)

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .syntax(let offset, let message): "invalid derivation at byte \(offset): \(message)"
        case .noOutputs: "must have at least one output"
        case .invalidOutputName(let name):
            "invalid derivation output name '\(name)' (an output name is made of letters, digits and '+-._?=', and is not 'drv')"
        case .hashWithoutAlgorithm(let output): "output '\(output)' has a hash but no hash algorithm"
        case .unknownHashAlgorithm(let name): "unknown hash algorithm '\(name)'"
        case .wrongHashLength(let hash, let algorithm):
            "hash '\(hash)' has wrong length for hash type '\(algorithm.name)'"
        case .invalidHashDigest(let hash, let encoding): "invalid \(encoding) hash '\(hash)'"
        case .experimentalFeature(let feature):
            "experimental Nix feature '\(feature)' is disabled; Keel does not implement it"
        case .multipleFixedOutputs: "only one fixed output is allowed for now"
        case .fixedOutputNotNamedOut(let name): "single fixed output must be named \"out\", not '\(name)'"
        case .mixedOutputTypes: "can't mix derivation output types"
        case .fetchURLWithoutOut(let outputs):
            "builtin:fetchurl: attribute 'out' missing (it writes to an output named 'out'; this derivation has "
                + outputs.map { "'\($0)'" }.joined(separator: ", ") + ")"
        case .fetchURLNotFixed:
            "builtin:fetchurl only makes fixed outputs: the derivation needs outputHash, outputHashAlgo and outputHashMode"
        case .builtinAttributeMissing(let builder, let attribute):
            "builtin:\(builder): attribute '\(attribute)' missing"
        case .unsupportedBuiltin(let name): "unsupported builtin builder '\(name)'"
        case .invalidStructuredAttributes(let problem): "cannot process __json attribute: \(problem)"
        case .notDerivationFileName(let name):
            "cannot take a derivation name from '\(name)': a derivation file's name ends in '.drv'"
        case .invalidName(let name, let error): "invalid derivation name '\(name)': \(error)"
        case .invalidPath(let path, let error): "invalid path '\(path)' in derivation: \(error)"
        case .inputUnavailable(let path, let reason): "cannot read input derivation '\(path)': \(reason)"
        case .missingInputOutput(let derivation, let output):
            "input derivation '\(derivation)' has no output '\(output)'"
        case .wrongOutputPath(let output, let written, let computed):
            "output '\(output)' is written as '\(written)' but should be '\(computed)'"
        case .wrongOutputVariable(let output, let computed):
            "has incorrect environment variable '\(output)', should be '\(computed)'"
        }
    }
}
