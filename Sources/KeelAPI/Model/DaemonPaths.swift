/// Where the daemon's files live under a Keel root.
public struct DaemonPaths: Sendable, Equatable {
    /// The Keel root (`/var/lib/keel` by default).
    public let root: String

    /// The paths under `root`.
    public init(root: String) { self.root = root }

    /// `ROOT/run`: the socket, pid files and notify sockets (not kept across boots).
    public var runDirectory: String { root + "/run" }
    /// `ROOT/run/keel.sock`: the API socket (mode 0600).
    public var socket: String { runDirectory + "/keel.sock" }
    /// `ROOT/logs/NAME`: an agent's log directory.
    public func logDirectory(agent: String) -> String { root + "/logs/" + agent }
    /// `ROOT/state/NAME`: an agent's state directory.
    public func stateDirectory(agent: String) -> String { root + "/state/" + agent }
}
