/// One thing the daemon did or saw, as appended to the audit ledger before it is reported.
public struct DaemonEvent: Codable, Sendable, Equatable {
    /// The daemon's own counter (1, 2, ...) for this life: `GET /v1/events?after=N` resumes.
    public var sequence: Int
    /// When, Unix milliseconds.
    public var atMs: Int64
    /// The ledger kind: `agent.start`, `agent.exit`, `agent.restart`, `agent.health`,
    /// `agent.ready`, `agent.stop`, `system.switch`, `system.activate`, `system.rollback`,
    /// `safeswitch.passed`, `safeswitch.failed`, `daemon.start`, `daemon.stop`...
    public var kind: String
    /// What it is about: an agent's name or `generation-N`.
    public var subject: String
    /// Its details, as they are in the ledger (values rendered as text).
    public var details: [String: String]

    /// An event.
    public init(sequence: Int, atMs: Int64, kind: String, subject: String, details: [String: String]) {
        self.sequence = sequence
        self.atMs = atMs
        self.kind = kind
        self.subject = subject
        self.details = details
    }
}
