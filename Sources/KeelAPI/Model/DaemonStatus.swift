/// The daemon's state: `GET /v1/status`.
public struct DaemonStatus: Codable, Sendable, Equatable {
    /// The daemon's pid.
    public var pid: Int32
    /// When it started, Unix milliseconds.
    public var startedAtMs: Int64
    /// The current generation's number (`nil` before the first switch).
    public var generation: Int?
    /// The current system path.
    public var systemPath: String?
    /// The last generation that passed probation.
    public var lastGoodGeneration: Int?
    /// The current generation's probation, while it lasts or after its verdict.
    public var probation: ProbationView?
    /// How limits are applied here: `cgroup v1`, `cgroup v2` or `none (reason)`.
    public var cgroups: String
    /// Every agent of the current generation (and those still stopping), by name.
    public var agents: [AgentStatusView]

    /// A status.
    public init(
        pid: Int32, startedAtMs: Int64, generation: Int?, systemPath: String?, lastGoodGeneration: Int?,
        probation: ProbationView?, cgroups: String, agents: [AgentStatusView]
    ) {
        self.pid = pid
        self.startedAtMs = startedAtMs
        self.generation = generation
        self.systemPath = systemPath
        self.lastGoodGeneration = lastGoodGeneration
        self.probation = probation
        self.cgroups = cgroups
        self.agents = agents
    }
}

/// A generation's probation after a switch.
public struct ProbationView: Codable, Sendable, Equatable {
    /// The generation on probation.
    public var generation: Int
    /// `probation`, `passed`, or `failed` (rolled back).
    public var state: String
    /// Milliseconds left while on probation.
    public var remainingMs: Int64?
    /// Why it failed, when it did.
    public var reason: String?

    /// A probation view.
    public init(generation: Int, state: String, remainingMs: Int64?, reason: String?) {
        self.generation = generation
        self.state = state
        self.remainingMs = remainingMs
        self.reason = reason
    }
}
