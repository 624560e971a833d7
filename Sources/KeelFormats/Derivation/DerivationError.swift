/// Why a derivation could not be parsed or its paths computed.
public enum DerivationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The ATerm text is malformed at a byte offset.
    case syntax(offset: Int, message: String)
    /// A fixed output's algorithm or digest is invalid.
    case invalidFixedOutput(String, String)
    /// The derivation has no `name` in its environment, or an invalid one.
    case invalidName(String?)
    /// A path in the derivation is not a valid store path of the store directory.
    case invalidPath(String, StorePathError)
    /// An input derivation could not be loaded.
    case inputUnavailable(String, reason: String)
    /// An input derivation lacks an output the derivation uses.
    case missingInputOutput(derivation: String, output: String)
    /// An output path written in the derivation differs from the computed one.
    case wrongOutputPath(output: String, written: String, computed: String)

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .syntax(let offset, let message): "invalid derivation at byte \(offset): \(message)"
        case .invalidFixedOutput(let algorithm, let hash): "invalid fixed output hash '\(algorithm):\(hash)'"
        case .invalidName(let name): "invalid derivation name '\(name ?? "(none)")'"
        case .invalidPath(let path, let error): "invalid path '\(path)' in derivation: \(error)"
        case .inputUnavailable(let path, let reason): "cannot read input derivation '\(path)': \(reason)"
        case .missingInputOutput(let derivation, let output):
            "input derivation '\(derivation)' has no output '\(output)'"
        case .wrongOutputPath(let output, let written, let computed):
            "output '\(output)' is written as '\(written)' but should be '\(computed)'"
        }
    }
}
