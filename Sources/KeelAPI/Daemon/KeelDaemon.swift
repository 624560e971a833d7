import Foundation
import KeelFormats
import KeelLedger
import KeelLinux
import KeelStore
import KeelSupervisor
import KeelSystem
import KeelWatch

/// The daemon: runs the current generation's agents under a `Supervisor`, switches and rolls
/// back generations when asked, judges each new generation with SafeSwitch's `Probation` and
/// rolls a failed one back by itself, and records every step through its `EventJournal`.
public actor KeelDaemon: DaemonOperations {
    /// Where its files live.
    public let paths: DaemonPaths
    let layout: StoreLayout
    let profile: Profile
    let supervisor: Supervisor<EventLoopClock>
    let journal: EventJournal
    let clock = EventLoopClock()
    let startedAtMs: Int64
    let limitsSupport: String
    /// The generation whose agents run.
    var current: Generation?
    var probation: Probation<ContinuousClock.Instant>?
    var probationTimer: Task<Void, Never>?
    /// The last probation's view, kept after its verdict.
    var probationView: ProbationView?
    var observer: Task<Void, Never>?
    let supervisorEvents: AsyncStream<SupervisorEvent>

    /// A daemon for the Keel root of `layout`; nothing runs until `start()`.
    ///
    /// - Throws: `APIError` when the ledger cannot be opened.
    public init(layout: StoreLayout, limitsSupport: String = "none") throws(APIError) {
        self.layout = layout
        paths = DaemonPaths(root: layout.root)
        profile = Profile(systemIn: layout)
        self.limitsSupport = limitsSupport
        startedAtMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let journal: EventJournal
        do throws(LedgerError) {
            journal = try EventJournal(root: layout.root)
        } catch {
            throw APIError.failed("cannot open the ledger in \(layout.root)/ledger: \(error)")
        }
        self.journal = journal
        let (stream, continuation) = AsyncStream.makeStream(of: SupervisorEvent.self)
        supervisorEvents = stream
        supervisor = Supervisor(
            paths: SupervisorPaths(root: layout.root), clock: EventLoopClock(), closure: Self.closure(in: layout)
        ) { event in
            journal.record(event.kind, subject: event.subject, details: event.details)
            continuation.yield(event)
        }
    }

    /// Ends the agents a previous life of the daemon left running (found through their pid
    /// files), then activates the current generation — on probation again when it had not
    /// passed it.
    ///
    /// - Throws: `APIError` when the profile cannot be read or the generation's system is
    ///   broken.
    public func start() async throws(APIError) {
        let events = supervisorEvents
        observer = Task { [weak self] in
            for await event in events {
                guard let self else { return }
                await self.observe(event)
            }
        }
        for leftover in LeftoverAgents.end(paths: SupervisorPaths(root: layout.root)) {
            journal.record(
                "agent.leftover-ended", subject: leftover.name,
                details: ["pid": .integer(Int64(leftover.pid)), "how": .string(leftover.how)])
        }
        let generation: Generation?
        do throws(ProfileError) { generation = try profile.current() } catch {
            throw APIError.failed(error.description)
        }
        journal.record(
            "daemon.start", subject: "daemon",
            details: [
                "pid": .integer(Int64(getpid())), "generation": generation.map { .integer(Int64($0.number)) } ?? .null,
                "limits": .string(limitsSupport),
            ])
        guard let generation else { return }
        _ = try await activate(generation, isNew: false)
    }

    /// Stops every agent (dependents first) and closes the journal.
    public func shutdown() async {
        probationTimer?.cancel()
        await supervisor.stopAll()
        journal.record("daemon.stop", subject: "daemon", details: ["pid": .integer(Int64(getpid()))])
        journal.close()
        observer?.cancel()
    }

    /// The closure in the store of a strict agent's references (what its sandbox shows); the
    /// references alone when the store cannot say (the agent then fails to find what it lacks,
    /// rather than seeing more).
    static func closure(in layout: StoreLayout) -> @Sendable ([String]) -> [String] {
        { references in
            guard let store = try? LocalStore(layout: layout) else { return references }
            let paths = references.compactMap { try? store.storePath($0) }
            guard let closure = try? store.closure(of: paths) else { return references }
            return closure.map(store.fullPath).sorted()
        }
    }

    // MARK: DaemonOperations

    /// The generation, its probation and every agent, now.
    public func status() async -> DaemonStatus {
        let agents = await supervisor.snapshots().map(Self.view)
        var probation = probationView
        if let active = self.probation, active.verdict == nil {
            let left = clock.now.duration(to: active.deadline)
            probation = ProbationView(
                generation: active.generation, state: "probation", remainingMs: max(0, left.milliseconds),
                reason: nil)
        }
        let lastGood = (try? profile.generations())?.filter { $0.status == .good }.map(\.number).max()
        return DaemonStatus(
            pid: getpid(), startedAtMs: startedAtMs, generation: current?.number, systemPath: current?.systemPath,
            lastGoodGeneration: lastGood, probation: probation, cgroups: limitsSupport, agents: agents)
    }

    /// Starts a stopped agent of the current generation.
    public func start(agent: String) async throws(APIError) -> AgentStatusView {
        do throws(SupervisorError) { try await supervisor.start(agent) } catch {
            throw APIError.notFound(error.description)
        }
        return try await view(of: agent)
    }

    /// Stops an agent and its whole tree; it stays stopped until started or changed.
    public func stop(agent: String) async throws(APIError) -> AgentStatusView {
        do throws(SupervisorError) { try await supervisor.stop(agent) } catch {
            throw APIError.notFound(error.description)
        }
        return try await view(of: agent)
    }

    /// Stops an agent if it runs, then starts it.
    public func restart(agent: String) async throws(APIError) -> AgentStatusView {
        do throws(SupervisorError) { try await supervisor.restart(agent) } catch {
            throw APIError.notFound(error.description)
        }
        return try await view(of: agent)
    }

    /// The events kept after `after`, then each new one.
    public func events(after: Int?) async -> AsyncStream<DaemonEvent> { journal.subscribe(after: after) }

    /// The last `limit` events kept.
    public func recentEvents(limit: Int) async -> [DaemonEvent] { journal.recent(limit: limit) }

    private func view(of agent: String) async throws(APIError) -> AgentStatusView {
        guard let snapshot = await supervisor.snapshot(of: agent) else {
            throw APIError.notFound("there is no agent '\(agent)'")
        }
        return Self.view(snapshot)
    }

    static func view(_ snapshot: AgentSnapshot) -> AgentStatusView {
        var exit: ExitView?
        if let last = snapshot.lastExit {
            switch last.termination {
            case .exited(let status): exit = ExitView(code: status, signal: nil, atMs: last.atMs)
            case .signaled(let signal): exit = ExitView(code: nil, signal: signal, atMs: last.atMs)
            }
        }
        return AgentStatusView(
            name: snapshot.name, state: snapshot.phase.rawValue, pid: snapshot.pid, startedAtMs: snapshot.startedAtMs,
            restarts: snapshot.restarts, lastExit: exit, health: snapshot.healthy.map { $0 ? "healthy" : "unhealthy" },
            statusText: snapshot.statusText, isolation: snapshot.isolation, problem: snapshot.problem)
    }
}
