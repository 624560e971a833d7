/// One generation of a profile: a link `PROFILE-N-link` to a system path, and what Keel recorded
/// about it.
public struct Generation: Sendable, Equatable {
    /// The generation number.
    public let number: Int
    /// The absolute path of its link (`ROOT/profiles/system-N-link`).
    public let link: String
    /// Where the link points: the system's store path.
    public let systemPath: String
    /// What Keel recorded about it; for a link without a matching record (made by `nix-env`,
    /// or left by a crash) one is synthesised: status `pending`, the link's mtime as the time,
    /// and no configuration hash, commit or host.
    public let record: GenerationRecord
    /// Whether `record` was read from the metadata directory rather than synthesised.
    public let isRecorded: Bool
    /// Whether the profile link points at this generation.
    public let isCurrent: Bool

    /// Makes a generation.
    public init(
        number: Int, link: String, systemPath: String, record: GenerationRecord, isRecorded: Bool, isCurrent: Bool
    ) {
        self.number = number
        self.link = link
        self.systemPath = systemPath
        self.record = record
        self.isRecorded = isRecorded
        self.isCurrent = isCurrent
    }

    /// How it fared (the record's status).
    public var status: GenerationStatus { record.status }
    /// When it was created, in seconds since the epoch (the record's time).
    public var time: Int64 { record.time }
}
