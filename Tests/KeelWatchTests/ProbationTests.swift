import KeelSupervisor
import KeelTesting
import KeelWatch
import Testing

@testable import KeelSystem

/// SafeSwitch's verdicts on a generation from the supervisor's events.
@Suite(.ownThreads) struct ProbationTests {
    private let settings = SystemManifest.SafeSwitch(
        probationMs: 30_000, crashLoopExits: 3, crashLoopWithinMs: 30_000, unhealthyChecks: 3, readyTimeoutMs: 60_000)
    private let start = ManualClock().now

    private func at(_ milliseconds: Int64) -> ManualClock.Instant { start.advanced(by: .milliseconds(milliseconds)) }

    private func exit(_ name: String, status: Int64 = 1) -> SupervisorEvent {
        SupervisorEvent(kind: "agent.exit", subject: name, details: ["status": .integer(status)])
    }

    @Test func threeExitsWithinTheWindowFailTheGeneration() {
        var probation = Probation(generation: 4, watched: ["web"], settings: settings, startedAt: start)
        #expect(probation.observe(exit("web"), at: at(0)) == nil)
        #expect(probation.observe(exit("web"), at: at(100)) == nil)
        let verdict = probation.observe(exit("web"), at: at(300))
        #expect(verdict == .failed(reason: "agent web crash-looped: 3 exits within 30 s"))
        #expect(probation.verdict == verdict)
        // Nothing changes after the verdict.
        #expect(probation.observe(exit("web"), at: at(400)) == nil)
        #expect(probation.expire(at: at(60_000)) == nil)
    }

    @Test func exitsSpreadBeyondTheWindowDoNotCount() {
        var probation = Probation(generation: 4, watched: ["web"], settings: settings, startedAt: start)
        #expect(probation.observe(exit("web"), at: at(0)) == nil)
        #expect(probation.observe(exit("web"), at: at(20_000)) == nil)
        #expect(probation.observe(exit("web"), at: at(30_001)) == nil)
        #expect(probation.expire(at: at(29_999)) == nil)
        #expect(probation.expire(at: at(30_000)) == .passed)
    }

    @Test func unwatchedAgentsAreIgnored() {
        var probation = Probation(generation: 2, watched: ["web"], settings: settings, startedAt: start)
        for index in 0..<5 { #expect(probation.observe(exit("steady"), at: at(Int64(index))) == nil) }
        #expect(probation.verdict == nil)
    }

    @Test func failedHealthChecksInARowFailIt() {
        var probation = Probation(generation: 2, watched: ["api"], settings: settings, startedAt: start)
        func check(_ failures: Int) -> SupervisorEvent {
            SupervisorEvent(
                kind: "agent.health", subject: "api",
                details: ["passed": .bool(false), "failures": .integer(Int64(failures)), "reason": .string("HTTP 503")])
        }
        #expect(probation.observe(check(1), at: at(1)) == nil)
        #expect(probation.observe(check(2), at: at(2)) == nil)
        let verdict = probation.observe(check(3), at: at(3))
        #expect(verdict == .failed(reason: "agent api failed 3 health checks in a row (HTTP 503)"))
    }

    @Test func aReadyTimeoutOrAFailedStartFailsItAtOnce() {
        var late = Probation(generation: 2, watched: ["api"], settings: settings, startedAt: start)
        let timeout = SupervisorEvent(
            kind: "agent.ready-timeout", subject: "api", details: ["timeout_ms": .integer(1500)])
        #expect(late.observe(timeout, at: at(1500)) == .failed(reason: "agent api was not ready within 1.5 s"))
        var broken = Probation(generation: 2, watched: ["api"], settings: settings, startedAt: start)
        let failed = SupervisorEvent(
            kind: "agent.start-failed", subject: "api", details: ["reason": .string("'x' is not in its PATH")])
        #expect(
            broken.observe(failed, at: at(0))
                == .failed(reason: "agent api could not be started: 'x' is not in its PATH"))
    }

    @Test func aFailureItsPolicyDoesNotRestartFailsIt() {
        var probation = Probation(generation: 2, watched: ["job"], settings: settings, startedAt: start)
        #expect(probation.observe(exit("job", status: 2), at: at(5)) == nil)
        let stopped = SupervisorEvent(kind: "agent.stopped", subject: "job", details: [:])
        #expect(
            probation.observe(stopped, at: at(5))
                == .failed(reason: "agent job failed and its restart policy does not restart it"))
        // A clean exit that is not restarted is fine.
        var clean = Probation(generation: 2, watched: ["job"], settings: settings, startedAt: start)
        #expect(clean.observe(exit("job", status: 0), at: at(5)) == nil)
        #expect(clean.observe(stopped, at: at(5)) == nil)
    }
}
