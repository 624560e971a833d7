import KeelAPI

/// One exchange with the daemon from a synchronous command: a client for the root's socket,
/// shut down afterwards, its errors turned into one-line CLI errors (exit 1).
enum DaemonCall {
    /// The result of `body` with a client for `paths`.
    static func run<T: Sendable>(
        _ paths: DaemonPaths, _ body: @escaping @Sendable (DaemonClient) async throws -> T
    ) throws -> T {
        do {
            return try AsyncBridge.wait { try await DaemonClient.with(paths: paths, body) }
        } catch let error as DaemonClientError {
            throw CLIError(error.description)
        }
    }

    /// An agent name from the command line, checked against keel.toml's rule.
    static func checkedAgent(_ name: String) throws -> String {
        guard AgentName.isValid(name) else { throw CLIError("invalid agent name '\(name)': use \(AgentName.rule)") }
        return name
    }
}
