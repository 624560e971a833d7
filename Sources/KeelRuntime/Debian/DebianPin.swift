/// One .deb of a resolved closure, pinned: what a lock records to fetch exactly it again.
public struct DebianPin: Sendable, Hashable, Codable {
    /// The package name.
    public let name: String
    /// The version, as the package list spells it.
    public let version: String
    /// `amd64` or `all`.
    public let architecture: String
    /// The .deb's path relative to its archive's root (`pool/main/…`).
    public let filename: String
    /// The .deb's size in bytes.
    public let size: UInt64
    /// The .deb's SHA-256 in lower-case hex.
    public let sha256: String

    /// A pin with these fields.
    public init(name: String, version: String, architecture: String, filename: String, size: UInt64, sha256: String) {
        self.name = name
        self.version = version
        self.architecture = architecture
        self.filename = filename
        self.size = size
        self.sha256 = sha256
    }
}
