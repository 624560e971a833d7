import KeelFormats

/// What the store knows about a valid path.
public struct PathInfo: Hashable, Sendable {
    /// The path.
    public let path: StorePath
    /// sha256 of its NAR.
    public let narHash: NixHash
    /// The size of its NAR in bytes.
    public let narSize: UInt64
    /// The paths it refers to (itself included for a self-reference), sorted.
    public let references: [StorePath]
    /// The derivation that built it, if known.
    public let deriver: StorePath?
    /// When it was registered, in seconds since the epoch.
    public let registrationTime: Int64
    /// Signatures, `keyname:base64`.
    public let signatures: [String]
    /// Its content address, if it is content-addressed.
    public let contentAddress: ContentAddress?

    /// Makes a path info.
    public init(
        path: StorePath, narHash: NixHash, narSize: UInt64, references: [StorePath], deriver: StorePath?,
        registrationTime: Int64, signatures: [String], contentAddress: ContentAddress?
    ) {
        self.path = path
        self.narHash = narHash
        self.narSize = narSize
        self.references = references.sorted()
        self.deriver = deriver
        self.registrationTime = registrationTime
        self.signatures = signatures
        self.contentAddress = contentAddress
    }
}
