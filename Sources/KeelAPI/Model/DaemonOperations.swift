/// What the daemon can be asked to do: the operations behind every route of the local API
/// (docs/api.md). The HTTP layer validates requests, calls these, and renders the results.
public protocol DaemonOperations: Sendable {
    /// The generation, its probation, and every agent's state.
    func status() async -> DaemonStatus
    /// Starts an agent of the current generation that is stopped (a no-op when it runs).
    func start(agent: String) async throws(APIError) -> AgentStatusView
    /// Stops an agent (SIGTERM, then SIGKILL after its stop timeout); it stays stopped until
    /// started again or a switch changes it.
    func stop(agent: String) async throws(APIError) -> AgentStatusView
    /// Stops an agent if it runs, then starts it.
    func restart(agent: String) async throws(APIError) -> AgentStatusView
    /// Switches the profile to a system path or a generation and activates it (probation
    /// follows).
    func switchSystem(_ request: SwitchRequest) async throws(APIError) -> SwitchOutcome
    /// Switches back to the generation before the current one and activates it.
    func rollback() async throws(APIError) -> SwitchOutcome
    /// The events after sequence number `after` still in memory, oldest first (all of them when
    /// `nil`), then, while the stream is consumed, each new one as it is recorded.
    func events(after: Int?) async -> AsyncStream<DaemonEvent>
    /// The events still in memory, oldest first, at most `limit`.
    func recentEvents(limit: Int) async -> [DaemonEvent]
}
