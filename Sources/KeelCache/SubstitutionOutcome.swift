import KeelFormats

/// What `Substituter.substitute` did.
public struct SubstitutionOutcome: Sendable {
    /// The paths it made valid (the wanted paths and their closures), in no particular order.
    public var fetched: [StorePath]
    /// One entry per wanted path that is not valid now, saying why.
    public var failures: [SubstitutionFailure]
    /// Caches skipped, one line each (did not answer, serve another store directory, …).
    public var warnings: [String]
    /// Bytes of NAR files received (compressed, as stored in the caches).
    public var downloadedBytes: UInt64
    /// Bytes of the NARs of the fetched paths (uncompressed).
    public var narBytes: UInt64

    /// Makes an outcome.
    public init(
        fetched: [StorePath] = [], failures: [SubstitutionFailure] = [], warnings: [String] = [],
        downloadedBytes: UInt64 = 0, narBytes: UInt64 = 0
    ) {
        self.fetched = fetched
        self.failures = failures
        self.warnings = warnings
        self.downloadedBytes = downloadedBytes
        self.narBytes = narBytes
    }

    /// Whether every wanted path is valid now.
    public var succeeded: Bool { failures.isEmpty }
}
