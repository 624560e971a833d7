import KeelLinux
import KeelSystem

/// The supervisor's mutable record of one agent: what it should be doing, the process it has,
/// and what was seen of it. Confined to the `Supervisor` actor.
final class AgentRecord<Instant: InstantProtocol> where Instant.Duration == Duration {
    let name: String
    var agent: SystemManifest.Agent
    var phase: AgentPhase = .stopped
    /// Whether it should run (false once stopped on request or removed).
    var wanted = false
    /// Whether it is to be started again as soon as a stop in progress ends.
    var startAfterStop = false
    var process: AgentProcess?
    /// Bumped at each start: callbacks of an older process are recognised and dropped.
    var instance = 0
    var startedAt: Instant?
    var startedAtMs: Int64?
    var restarts = 0
    /// Whether its next start is its first in the activated generation (an ephemeral state is
    /// emptied then).
    var freshState = true
    var lastExit: (termination: Termination, atMs: Int64)?
    var ready = false
    var healthy: Bool?
    var statusText: String?
    var problem: String?
    /// Why the current process is being ended by the supervisor (a failed check...), reported
    /// with its exit.
    var endReason: String?
    var schedule: RestartSchedule
    var notifySocket: NotifySocket?
    var log: AgentLog?
    /// Its pid file, open from its first start until it stops (see `AgentPidFile`).
    var pidFile: AgentPidFile?
    /// Stops its health monitor, while one runs.
    var stopHealth: (@Sendable () -> Void)?
    var watchdogInterval: Duration?
    var watchdogDeadline: Instant?
    var timers: [String: Task<Void, Never>] = [:]
    /// Its cgroup, once made.
    var cgroup: AgentCgroup?
    /// The limits last written to its cgroup (not written again at each restart).
    var appliedLimits: SystemManifest.Limits?
    /// The watch on its cgroup for OOM kills.
    var oomWatch: AgentOOMWatch?
    /// How its last start ran (its plan and confinement), for its restarts after an exit: made
    /// again at any other start, and when a restart with it fails.
    var lastLaunch: (plan: AgentLaunchPlan, confinement: AgentConfinement)?
    /// Those waiting for the current stop to end.
    var stopWaiters: [CheckedContinuation<Void, Never>] = []

    init(name: String, agent: SystemManifest.Agent) {
        self.name = name
        self.agent = agent
        schedule = RestartSchedule(agent.restart)
    }

    /// Cancels every timer.
    func cancelTimers() {
        for timer in timers.values { timer.cancel() }
        timers = [:]
    }

    /// Cancels one timer.
    func cancelTimer(_ kind: String) {
        timers.removeValue(forKey: kind)?.cancel()
    }

    var snapshot: AgentSnapshot {
        AgentSnapshot(
            name: name, phase: phase, pid: process?.termination == nil ? process?.pid : nil, startedAtMs: startedAtMs,
            restarts: restarts, lastExit: lastExit, healthy: healthy, statusText: statusText,
            isolation: agent.isolation, problem: problem)
    }
}
