import KeelFormats

/// How `CacheWriter` writes a closure: the NARs' compression, the key that signs the narinfos,
/// and how many paths are written at once.
public struct CachePushOptions: Sendable {
    /// How NAR files are compressed; xz, as Nix does, unless told otherwise.
    public var compression: CacheCompression
    /// The key that signs every narinfo written; nil leaves them with the path's own signatures.
    public var signingKey: SigningSecretKey?
    /// How many paths are dumped, compressed and written at once (at least 1).
    public var jobs: Int

    /// Options for a push.
    public init(compression: CacheCompression = .xz, signingKey: SigningSecretKey? = nil, jobs: Int = 2) {
        self.compression = compression
        self.signingKey = signingKey
        self.jobs = max(1, jobs)
    }
}
