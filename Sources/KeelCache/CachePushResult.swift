import KeelFormats

/// What a push did: the paths it wrote, those the cache already had, and the bytes written.
public struct CachePushResult: Sendable, Equatable {
    /// Paths whose NAR and narinfo were written, sorted.
    public let written: [StorePath]
    /// Paths whose narinfo was already in the cache, sorted; nothing was written for them.
    public let skipped: [StorePath]
    /// The NAR bytes (uncompressed) of the paths written.
    public let narBytes: UInt64
    /// The bytes of the NAR files written (compressed), not counting NAR files the cache
    /// already had under the same name.
    public let fileBytes: UInt64

    /// A push result.
    public init(written: [StorePath], skipped: [StorePath], narBytes: UInt64, fileBytes: UInt64) {
        self.written = written
        self.skipped = skipped
        self.narBytes = narBytes
        self.fileBytes = fileBytes
    }
}
