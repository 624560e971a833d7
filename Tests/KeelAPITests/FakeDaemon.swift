import KeelAPI

/// An honest in-memory `DaemonOperations`: it records every call, knows a few agents, and
/// keeps events that tests publish, streaming them to subscribers.
actor FakeDaemon: DaemonOperations {
    /// A call the server made.
    enum Call: Equatable, Sendable {
        case status
        case start(String)
        case stop(String)
        case restart(String)
        case switchSystem(SwitchRequest)
        case rollback
        case events(after: Int?)
        case recentEvents(limit: Int)
    }

    private(set) var calls: [Call] = []
    private var agents: [String: AgentStatusView]
    private var history: [DaemonEvent] = []
    private var subscribers: [Int: AsyncStream<DaemonEvent>.Continuation] = [:]
    private var nextSubscriber = 0
    private var generation = 3
    private let subscribed: AsyncStream<Void>.Continuation
    /// Yields once each time a subscriber starts following the events.
    nonisolated let subscriptions: AsyncStream<Void>
    private let unsubscribed: AsyncStream<Void>.Continuation
    /// Yields once each time a subscriber's stream ends.
    nonisolated let unsubscriptions: AsyncStream<Void>

    init(agentNames: [String] = ["web", "worker"]) {
        var agents: [String: AgentStatusView] = [:]
        for (index, name) in agentNames.enumerated() {
            agents[name] = AgentStatusView(
                name: name, state: "running", pid: Int32(1000 + index), startedAtMs: 1_000_000, restarts: index,
                lastExit: index == 0 ? nil : ExitView(code: 1, signal: nil, atMs: 900_000),
                health: index == 0 ? "healthy" : nil, statusText: nil, isolation: "none", problem: nil)
        }
        self.agents = agents
        (subscriptions, subscribed) = AsyncStream.makeStream(of: Void.self)
        (unsubscriptions, unsubscribed) = AsyncStream.makeStream(of: Void.self)
    }

    /// How many subscribers still follow the events.
    var subscriberCount: Int { subscribers.count }

    func status() -> DaemonStatus {
        calls.append(.status)
        return DaemonStatus(
            pid: 42, startedAtMs: 500_000, generation: generation, systemPath: "/keel/store/abc-system",
            lastGoodGeneration: generation - 1,
            probation: ProbationView(generation: generation, state: "probation", remainingMs: 12_000, reason: nil),
            cgroups: "cgroup v1", agents: agents.values.sorted { $0.name < $1.name })
    }

    func start(agent: String) throws(APIError) -> AgentStatusView {
        calls.append(.start(agent))
        return try update(agent) { $0.state = "running" }
    }

    func stop(agent: String) throws(APIError) -> AgentStatusView {
        calls.append(.stop(agent))
        return try update(agent) {
            $0.state = "stopped"
            $0.pid = nil
        }
    }

    func restart(agent: String) throws(APIError) -> AgentStatusView {
        calls.append(.restart(agent))
        return try update(agent) { $0.restarts += 1 }
    }

    func switchSystem(_ request: SwitchRequest) throws(APIError) -> SwitchOutcome {
        calls.append(.switchSystem(request))
        if request.generation == 99, !request.force {
            throw .conflict("generation 99 failed its probation; switch to it with --force")
        }
        let previous = generation
        generation = request.generation ?? generation + 1
        return SwitchOutcome(
            generation: generation, previousGeneration: previous, started: ["new"], stopped: [], restarted: ["web"],
            unchanged: ["worker"], probationMs: 30_000)
    }

    func rollback() throws(APIError) -> SwitchOutcome {
        calls.append(.rollback)
        guard generation > 1 else { throw .conflict("no generation before 1") }
        generation -= 1
        return SwitchOutcome(
            generation: generation, previousGeneration: generation + 1, started: [], stopped: [], restarted: [],
            unchanged: ["web", "worker"], probationMs: nil)
    }

    func events(after: Int?) -> AsyncStream<DaemonEvent> {
        calls.append(.events(after: after))
        let (stream, continuation) = AsyncStream.makeStream(of: DaemonEvent.self)
        for event in history where event.sequence > (after ?? 0) { continuation.yield(event) }
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        subscribed.yield()
        return stream
    }

    func recentEvents(limit: Int) -> [DaemonEvent] {
        calls.append(.recentEvents(limit: limit))
        return Array(history.suffix(limit))
    }

    /// Records an event and sends it to every subscriber.
    @discardableResult
    func publish(_ kind: String, subject: String, details: [String: String] = [:]) -> DaemonEvent {
        let event = DaemonEvent(
            sequence: history.count + 1, atMs: 1_700_000_000_000 + Int64(history.count), kind: kind,
            subject: subject, details: details)
        history.append(event)
        for subscriber in subscribers.values { subscriber.yield(event) }
        return event
    }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
        unsubscribed.yield()
    }

    private func update(_ agent: String, _ change: (inout AgentStatusView) -> Void) throws(APIError)
        -> AgentStatusView
    {
        guard var view = agents[agent] else { throw .notFound("no agent '\(agent)' in generation \(generation)") }
        change(&view)
        agents[agent] = view
        return view
    }
}
