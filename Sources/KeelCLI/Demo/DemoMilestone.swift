import KeelAPI

/// What the demo waits for in the daemon's events, and which events mean it will not come.
struct DemoMilestone: Sendable, CustomStringConvertible {
    private enum Goal {
        case passed(generation: Int)
        case healthyAfterRollback(agent: String, from: Int)
    }

    private let goal: Goal
    private var rolledBack = false

    /// The probation of `generation` passes (it fails: an error).
    static func passed(generation: Int) -> DemoMilestone { DemoMilestone(goal: .passed(generation: generation)) }

    /// SafeSwitch rolls `generation` back and `agent` then passes its health check (the
    /// generation passing its probation, or the rollback failing: an error).
    static func healthyAfterRollback(agent: String, from generation: Int) -> DemoMilestone {
        DemoMilestone(goal: .healthyAfterRollback(agent: agent, from: generation))
    }

    /// What is awaited, for a timeout's message.
    var description: String {
        switch goal {
        case .passed(let generation): "generation \(generation) to pass its probation"
        case .healthyAfterRollback(let agent, let from):
            "SafeSwitch to roll generation \(from) back and \(agent) to pass its health check"
        }
    }

    /// Whether `event` reaches the milestone.
    ///
    /// - Throws: `CLIError` for an event that means it will not be reached.
    mutating func isReached(by event: DaemonEvent) throws -> Bool {
        switch goal {
        case .passed(let generation):
            let subject = "generation-\(generation)"
            if event.kind == "safeswitch.failed" && event.subject == subject {
                throw CLIError("generation \(generation) failed its probation: \(event.details["reason"] ?? "?")")
            }
            return event.kind == "safeswitch.passed" && event.subject == subject
        case .healthyAfterRollback(let agent, let from):
            if event.kind == "safeswitch.passed" && event.subject == "generation-\(from)" {
                throw CLIError("the broken generation \(from) passed its probation: SafeSwitch did not catch it")
            }
            if event.kind == "safeswitch.rollback-failed" {
                throw CLIError("SafeSwitch could not roll back: \(event.details["error"] ?? "?")")
            }
            if event.kind == "system.rollback" { rolledBack = true }
            return rolledBack && event.kind == "agent.health" && event.subject == agent
                && event.details["passed"] == "true"
        }
    }
}
