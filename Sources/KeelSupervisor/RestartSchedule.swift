import KeelSystem

/// When an agent that exited is started again: its restart policy decides whether, and an
/// exponential backoff how soon — the delay doubles from `initial_backoff` after each quick
/// exit up to `max_backoff`, and goes back to `initial_backoff` once the agent has stayed up
/// for `stableAfter`.
public struct RestartSchedule: Sendable, Equatable {
    /// How an agent ended.
    public enum Exit: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal killed it.
        case signaled(Int32)

        /// Whether this counts as a failure for `on-failure`: a non-zero status or any signal.
        public var isFailure: Bool {
            if case .exited(let status) = self { return status != 0 }
            return true
        }
    }

    /// `always`, `on-failure` or `never`.
    public let policy: String
    /// The first delay.
    public let initialBackoff: Duration
    /// The longest delay.
    public let maximumBackoff: Duration
    /// How long an agent must stay up for its next restart to be quick again.
    public let stableAfter: Duration
    /// The delay the next restart waits.
    public private(set) var nextDelay: Duration

    /// A schedule for an agent's `restart` settings; `stableAfter` defaults to the longer of
    /// 10 s and `max_backoff`.
    public init(_ restart: SystemManifest.Restart, stableAfter: Duration? = nil) {
        policy = restart.policy
        initialBackoff = .milliseconds(restart.initialBackoffMs)
        maximumBackoff = .milliseconds(max(restart.maxBackoffMs, restart.initialBackoffMs))
        self.stableAfter = stableAfter ?? max(.seconds(10), maximumBackoff)
        nextDelay = initialBackoff
    }

    /// Whether the policy restarts after `exit`.
    public func restarts(after exit: Exit) -> Bool {
        switch policy {
        case "always": true
        case "on-failure": exit.isFailure
        default: false
        }
    }

    /// Records an exit after `uptime` and returns how long to wait before starting again, or
    /// nil when the policy does not restart. A long enough run first resets the backoff.
    public mutating func exited(_ exit: Exit, after uptime: Duration) -> Duration? {
        guard restarts(after: exit) else { return nil }
        if uptime >= stableAfter { nextDelay = initialBackoff }
        let delay = nextDelay
        nextDelay = min(nextDelay * 2, maximumBackoff)
        return delay
    }
}
