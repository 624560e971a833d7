/// One agent as `keel status` shows it.
public struct AgentStatusView: Codable, Sendable, Equatable {
    /// Its name in keel.toml.
    public var name: String
    /// `starting` (not ready yet), `running` (ready), `backoff` (waiting to restart), `stopping`,
    /// `stopped` (by request or by its policy), or `failed` (could not be started).
    public var state: String
    /// The pid of its main process while it has one.
    public var pid: Int32?
    /// When its current process started, Unix milliseconds.
    public var startedAtMs: Int64?
    /// How many times it was restarted since it was (re)activated.
    public var restarts: Int
    /// How its last process ended.
    public var lastExit: ExitView?
    /// `healthy`, `unhealthy`, or `nil` without a health check (or before the first verdict).
    public var health: String?
    /// The last `STATUS=` it sent through the notify protocol.
    public var statusText: String?
    /// `none` or `strict`.
    public var isolation: String
    /// The last problem worth a human's attention (a start failure, a memory limit breach...).
    public var problem: String?

    /// An agent's status.
    public init(
        name: String, state: String, pid: Int32?, startedAtMs: Int64?, restarts: Int, lastExit: ExitView?,
        health: String?, statusText: String?, isolation: String, problem: String?
    ) {
        self.name = name
        self.state = state
        self.pid = pid
        self.startedAtMs = startedAtMs
        self.restarts = restarts
        self.lastExit = lastExit
        self.health = health
        self.statusText = statusText
        self.isolation = isolation
        self.problem = problem
    }
}

/// How a process ended.
public struct ExitView: Codable, Sendable, Equatable {
    /// Its exit code, when it exited.
    public var code: Int32?
    /// The signal that killed it, when one did.
    public var signal: Int32?
    /// When, Unix milliseconds.
    public var atMs: Int64

    /// An exit.
    public init(code: Int32?, signal: Int32?, atMs: Int64) {
        self.code = code
        self.signal = signal
        self.atMs = atMs
    }
}
