import KeelSupervisor
import KeelSystem

/// SafeSwitch's judgement of one generation after a switch: it watches the agents the switch
/// started or changed, and fails the generation when one of them crash-loops (`crash_loop`
/// exits within its window), fails `unhealthy_checks` health checks in a row, is not ready
/// within its ready timeout, cannot be started, or ends for good with a failure. Once
/// `probation` has passed without any of that, the generation passes.
///
/// Pure: it sees events and instants, and decides; the daemon acts on the verdict.
public struct Probation<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The generation on probation.
    public let generation: Int
    /// The agents watched: those the switch started or restarted.
    public let watched: Set<String>
    /// When probation began.
    public let startedAt: Instant
    /// When it ends, if nothing fails first.
    public let deadline: Instant
    /// The verdict, once there is one.
    public private(set) var verdict: ProbationVerdict?

    private let settings: SystemManifest.SafeSwitch
    private var crashWindows: [String: CrashLoopWindow<Instant>] = [:]
    private var failedChecks: [String: Int] = [:]
    private var lastExitFailed: [String: Bool] = [:]

    /// Probation for `generation`, watching `watched`, from `startedAt`.
    public init(generation: Int, watched: Set<String>, settings: SystemManifest.SafeSwitch, startedAt: Instant) {
        self.generation = generation
        self.watched = watched
        self.settings = settings
        self.startedAt = startedAt
        deadline = startedAt.advanced(by: .milliseconds(max(0, settings.probationMs)))
        for name in watched {
            crashWindows[name] = CrashLoopWindow(
                exits: max(1, settings.crashLoopExits), within: .milliseconds(settings.crashLoopWithinMs))
        }
    }

    /// Takes in one supervisor event seen at `instant`; returns the verdict when this event
    /// decides it (a failure). Events after the verdict change nothing.
    public mutating func observe(_ event: SupervisorEvent, at instant: Instant) -> ProbationVerdict? {
        guard verdict == nil, watched.contains(event.subject) else { return nil }
        let name = event.subject
        switch event.kind {
        case "agent.exit":
            let failed =
                event.text("signal") != nil || event.text("failed") == "true"
                || (event.text("status").map { $0 != "0" } ?? true)
            lastExitFailed[name] = failed
            if crashWindows[name]?.recordExit(at: instant) == true {
                return decide(
                    .failed(
                        reason:
                            "agent \(name) crash-looped: \(settings.crashLoopExits) exits within "
                            + "\(Self.seconds(settings.crashLoopWithinMs))"))
            }
        case "agent.health":
            if event.text("passed") == "false" {
                failedChecks[name] = event.text("failures").flatMap(Int.init) ?? (failedChecks[name, default: 0] + 1)
                if failedChecks[name, default: 0] >= max(1, settings.unhealthyChecks) {
                    let detail = event.text("reason").map { " (\($0))" } ?? ""
                    return decide(
                        .failed(
                            reason:
                                "agent \(name) failed \(failedChecks[name, default: 0]) health checks in a row\(detail)"
                        ))
                }
            } else {
                failedChecks[name] = 0
            }
        case "agent.ready-timeout":
            return decide(
                .failed(
                    reason:
                        "agent \(name) was not ready within \(Self.seconds(Int64(event.text("timeout_ms") ?? "") ?? 0))"
                ))
        case "agent.start-failed":
            return decide(.failed(reason: "agent \(name) could not be started: \(event.text("reason") ?? "")"))
        case "agent.stopped":
            if lastExitFailed[name] == true {
                return decide(.failed(reason: "agent \(name) failed and its restart policy does not restart it"))
            }
        default:
            break
        }
        return nil
    }

    /// Passes the generation when `instant` is at or past the deadline and nothing failed.
    public mutating func expire(at instant: Instant) -> ProbationVerdict? {
        guard verdict == nil, instant >= deadline else { return nil }
        return decide(.passed)
    }

    /// Fails the generation for a reason found outside the events (an agent not running at the
    /// deadline...).
    public mutating func fail(_ reason: String) -> ProbationVerdict? {
        guard verdict == nil else { return nil }
        return decide(.failed(reason: reason))
    }

    private mutating func decide(_ verdict: ProbationVerdict) -> ProbationVerdict {
        self.verdict = verdict
        return verdict
    }

    /// `1.5 s`, `30 s`.
    static func seconds(_ milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
