import KeelFormats

/// What a substituted path is registered with: its NAR hash and size, references, deriver,
/// content address and signatures, as the narinfo it came with gives them.
public struct SubstitutedPath: Sendable {
    /// The path.
    public let path: StorePath
    /// The sha256 of its NAR.
    public let narHash: NixHash
    /// The size of its NAR.
    public let narSize: UInt64
    /// The paths it refers to; each must be valid or in the same commit.
    public let references: [StorePath]
    /// The derivation that built it, if known.
    public let deriver: StorePath?
    /// Its content address, if it has one.
    public let contentAddress: ContentAddress?
    /// Signatures (`keyname:base64`) kept in the database.
    public let signatures: [String]

    /// Describes a path to register.
    public init(
        path: StorePath, narHash: NixHash, narSize: UInt64, references: [StorePath], deriver: StorePath?,
        contentAddress: ContentAddress?, signatures: [String]
    ) {
        self.path = path
        self.narHash = narHash
        self.narSize = narSize
        self.references = references
        self.deriver = deriver
        self.contentAddress = contentAddress
        self.signatures = signatures
    }
}
