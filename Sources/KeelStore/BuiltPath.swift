import KeelFormats

/// A finished tree a build produced outside the store directory, ready to become a valid path.
///
/// Its files are canonical and its NAR hash, size and references were computed from them: the
/// store moves the tree into place as it is and registers these facts.
public struct BuiltPath: Sendable {
    /// Where the tree is on the host now.
    public let location: String
    /// The store path it becomes.
    public let path: StorePath
    /// The NAR hash of the tree.
    public let narHash: NixHash
    /// The NAR size of the tree.
    public let narSize: UInt64
    /// The store paths whose hash parts occur in it (itself included when it refers to itself).
    public let references: [StorePath]
    /// The derivation that built it.
    public let deriver: StorePath?
    /// Its content address, for fixed-output derivations.
    public let contentAddress: ContentAddress?

    /// Describes a built tree.
    public init(
        location: String, path: StorePath, narHash: NixHash, narSize: UInt64, references: [StorePath],
        deriver: StorePath?, contentAddress: ContentAddress?
    ) {
        self.location = location
        self.path = path
        self.narHash = narHash
        self.narSize = narSize
        self.references = references
        self.deriver = deriver
        self.contentAddress = contentAddress
    }
}
