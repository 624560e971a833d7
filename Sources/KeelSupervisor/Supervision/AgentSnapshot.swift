import KeelLinux

/// One agent's state at a moment, for `keel status`.
public struct AgentSnapshot: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Its phase.
    public var phase: AgentPhase
    /// Its main process's pid while it has one.
    public var pid: Int32?
    /// When that process started, Unix milliseconds.
    public var startedAtMs: Int64?
    /// Restarts since it was activated.
    public var restarts: Int
    /// How its last process ended, and when (Unix milliseconds).
    public var lastExit: (termination: Termination, atMs: Int64)?
    /// Whether its health check passes (nil without one or before the first verdict).
    public var healthy: Bool?
    /// The last `STATUS=` it sent.
    public var statusText: String?
    /// `none` or `strict`.
    public var isolation: String
    /// The last problem worth a human's attention.
    public var problem: String?

    /// A snapshot.
    public init(
        name: String, phase: AgentPhase, pid: Int32?, startedAtMs: Int64?, restarts: Int,
        lastExit: (termination: Termination, atMs: Int64)?, healthy: Bool?, statusText: String?, isolation: String,
        problem: String?
    ) {
        self.name = name
        self.phase = phase
        self.pid = pid
        self.startedAtMs = startedAtMs
        self.restarts = restarts
        self.lastExit = lastExit
        self.healthy = healthy
        self.statusText = statusText
        self.isolation = isolation
        self.problem = problem
    }

    /// Whether two snapshots show the same state.
    public static func == (left: AgentSnapshot, right: AgentSnapshot) -> Bool {
        left.name == right.name && left.phase == right.phase && left.pid == right.pid
            && left.startedAtMs == right.startedAtMs && left.restarts == right.restarts
            && left.lastExit?.termination == right.lastExit?.termination && left.lastExit?.atMs == right.lastExit?.atMs
            && left.healthy == right.healthy && left.statusText == right.statusText
            && left.isolation == right.isolation && left.problem == right.problem
    }
}
