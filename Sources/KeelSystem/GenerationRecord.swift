/// What is known of how a generation fared once it was switched to.
public enum GenerationStatus: String, Codable, Sendable, CaseIterable {
    /// Not judged yet: just created, on probation, or made by another tool (`nix-env`).
    case pending
    /// Ran and passed its checks.
    case good
    /// Failed (a crash loop, a failed health check, an activation that broke); never a
    /// rollback target.
    case failed
}

/// What Keel records about a generation beside its link, in the profile's metadata directory
/// (`ROOT/profiles/.system-generations/N.json`).
///
/// Whether a generation is the current one is not recorded: that is where the profile link
/// points.
public struct GenerationRecord: Codable, Sendable, Equatable {
    /// The generation number.
    public var number: Int
    /// When the generation was created, in seconds since the epoch (UTC); also the mtime of its
    /// link, which is the time `nix-env --list-generations` shows.
    public var time: Int64
    /// The absolute store path of the system the generation points at.
    public var systemPath: String
    /// The hash of the configuration it was built from, if known.
    public var configHash: String?
    /// The git commit of the configuration, if known.
    public var gitCommit: String?
    /// The host it was built for, if known.
    public var host: String?
    /// How it fared.
    public var status: GenerationStatus

    /// Makes a record.
    public init(
        number: Int, time: Int64, systemPath: String, configHash: String? = nil, gitCommit: String? = nil,
        host: String? = nil, status: GenerationStatus = .pending
    ) {
        self.number = number
        self.time = time
        self.systemPath = systemPath
        self.configHash = configHash
        self.gitCommit = gitCommit
        self.host = host
        self.status = status
    }
}
