/// One `[agents.NAME]` table: a long-running program the host supervises.
public struct AgentSpec: Sendable, Equatable {
    /// The rule for agent names (`[agents.NAME]`), in words.
    public static let nameRule = "letters, digits, '-', '_' and '.' (at most 64, not starting with '.' or '-')"

    /// Whether `name` may name an agent: 1 to 64 letters, digits, '-', '_' and '.', not starting
    /// with '.' or '-'.
    public static func isValidName(_ name: String) -> Bool { HostDecoder.isSimpleName(name, maximumLength: 64) }

    /// The agent's name (the table's key).
    public let name: String
    /// Where the table is.
    public let position: SourcePosition
    /// The argv; `${packages.NAME}` expands to the package's store path anywhere in a string.
    public let command: [ConfigString]
    /// Environment variables, in key order; `${packages.NAME}` expands in values.
    public let environment: [(key: String, value: ConfigString)]
    /// Packages whose `bin` directories go on PATH, in this order.
    public let packages: [ConfigString]
    /// Host files and directories the agent may use: recorded impurities, hashed into keel.lock.
    public let hostPaths: [ConfigString]
    /// When and how fast the agent is restarted.
    public let restart: RestartSpec
    /// The health check, if any.
    public let health: HealthSpec?
    /// When the agent counts as ready.
    public let ready: Readiness
    /// How long it may take to become ready (default: `[safeswitch] ready_timeout`).
    public let readyTimeout: ConfigDuration?
    /// The sd_notify WATCHDOG=1 heartbeat interval, if the agent sends one.
    public let watchdog: ConfigDuration?
    /// Resource limits.
    public let limits: LimitsSpec
    /// How much of the host the agent sees.
    public let isolation: Isolation
    /// Agents that must be ready before this one starts (stopped after it).
    public let dependsOn: [ConfigString]
    /// How long SIGTERM has before SIGKILL.
    public let stopTimeout: ConfigDuration
    /// The user to run as (a name or a numeric id), if not the daemon's.
    public let user: String?
    /// The working directory (default: the agent's state directory).
    public let workingDirectory: String?
    /// Whether the state directory survives a switch.
    public let state: StatePolicy

    /// Whether the two are equal, field by field (tuples keep the synthesised conformance out).
    public static func == (lhs: AgentSpec, rhs: AgentSpec) -> Bool {
        lhs.name == rhs.name && lhs.command == rhs.command && lhs.environment.map(\.key) == rhs.environment.map(\.key)
            && lhs.environment.map(\.value) == rhs.environment.map(\.value) && lhs.packages == rhs.packages
            && lhs.hostPaths == rhs.hostPaths && lhs.restart == rhs.restart && lhs.health == rhs.health
            && lhs.ready == rhs.ready && lhs.readyTimeout == rhs.readyTimeout && lhs.watchdog == rhs.watchdog
            && lhs.limits == rhs.limits && lhs.isolation == rhs.isolation && lhs.dependsOn == rhs.dependsOn
            && lhs.stopTimeout == rhs.stopTimeout && lhs.user == rhs.user
            && lhs.workingDirectory == rhs.workingDirectory && lhs.state == rhs.state
    }
}

/// `restart = { policy, initial_backoff, max_backoff }`.
public struct RestartSpec: Sendable, Equatable {
    /// When to restart.
    public let policy: Policy
    /// The first delay before a restart; it doubles up to `maximumBackoff`.
    public let initialBackoff: ConfigDuration
    /// The longest delay before a restart.
    public let maximumBackoff: ConfigDuration

    /// When an agent is restarted.
    public enum Policy: String, Sendable, CaseIterable {
        /// After every exit.
        case always
        /// After an exit with a non-zero status or a signal.
        case onFailure = "on-failure"
        /// Never.
        case never
    }

    /// The defaults: on-failure, 100ms doubling up to 30s.
    public static let defaults = RestartSpec(
        policy: .onFailure, initialBackoff: ConfigDuration(milliseconds: 100),
        maximumBackoff: ConfigDuration(milliseconds: 30_000))
}

/// `health = { http | tcp | exec, interval, timeout, failure_threshold }`.
public struct HealthSpec: Sendable, Equatable {
    /// What is checked.
    public let probe: Probe
    /// Time between checks.
    public let interval: ConfigDuration
    /// How long one check may take.
    public let timeout: ConfigDuration
    /// Consecutive failures that make the agent unhealthy.
    public let failureThreshold: Int

    /// One kind of check.
    public enum Probe: Sendable, Equatable {
        /// An HTTP GET that must answer 2xx.
        case http(String)
        /// A TCP connect to HOST:PORT.
        case tcp(host: String, port: Int)
        /// A program that must exit 0; `${packages.NAME}` expands.
        case exec([ConfigString])
    }
}

/// `ready = "started" | "health" | "notify"`.
public enum Readiness: String, Sendable, CaseIterable {
    /// As soon as the process runs.
    case started
    /// When the health check first passes.
    case health
    /// When the agent sends sd_notify READY=1.
    case notify
}

/// `isolation = "none" | "strict"`.
public enum Isolation: String, Sendable, CaseIterable {
    /// A plain process with the daemon's view of the host.
    case none
    /// Its closure read-only, its state and runtime dirs, declared host paths; own PID namespace.
    case strict
}

/// `state = "keep" | "ephemeral"`.
public enum StatePolicy: String, Sendable, CaseIterable {
    /// Kept across generations.
    case keep
    /// Emptied whenever the agent starts in a new generation.
    case ephemeral
}

/// `limits = { memory, pids, cpu, open_files }`.
public struct LimitsSpec: Sendable, Equatable {
    /// The memory limit.
    public let memory: ByteSize?
    /// The most processes and threads.
    public let pids: Int?
    /// CPUs' worth of time, in thousandths ("1.5" → 1500).
    public let cpuMillis: Int?
    /// The most open file descriptors (RLIMIT_NOFILE).
    public let openFiles: Int?

    /// No limits.
    public static let none = LimitsSpec(memory: nil, pids: nil, cpuMillis: nil, openFiles: nil)
}
