/// Where the supervisor keeps each agent's files under a Keel root.
public struct SupervisorPaths: Sendable, Equatable {
    /// The Keel root.
    public let root: String

    /// The paths under `root`.
    public init(root: String) { self.root = root }

    /// `ROOT/state/NAME`: the agent's state directory, its working directory by default, kept
    /// across generations unless its state is ephemeral.
    public func stateDirectory(_ agent: String) -> String { root + "/state/" + agent }
    /// `ROOT/run/agents/NAME`: its runtime directory (pid file, notify socket), not kept across
    /// boots.
    public func runtimeDirectory(_ agent: String) -> String { root + "/run/agents/" + agent }
    /// `ROOT/run/agents`: every agent's runtime directory.
    public var runtimeDirectories: String { root + "/run/agents" }
    /// `ROOT/logs/NAME`: its log directory (`current` and rotated files).
    public func logDirectory(_ agent: String) -> String { root + "/logs/" + agent }
    /// The agent's pid file.
    public func pidFile(_ agent: String) -> String { runtimeDirectory(agent) + "/pid" }
    /// The datagram socket its notify messages come through.
    public func notifySocket(_ agent: String) -> String { runtimeDirectory(agent) + "/notify.sock" }
}
