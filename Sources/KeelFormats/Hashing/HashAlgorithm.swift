/// A hash algorithm Nix knows: sha256 for everything, and md5, sha1, sha512 for fixed outputs.
public enum HashAlgorithm: String, Sendable, CaseIterable, Hashable, Codable {
    /// MD5 (16 bytes); only for fixed-output paths.
    case md5
    /// SHA-1 (20 bytes); only for fixed-output paths.
    case sha1
    /// SHA-256 (32 bytes); NAR hashes and store paths use it.
    case sha256
    /// SHA-512 (64 bytes).
    case sha512

    /// The digest size in bytes.
    public var digestSize: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// The algorithm's name as Nix writes it (`sha256`).
    public var name: String { rawValue }
}
