import KeelSupervisor
import KeelTesting
import Testing

@testable import KeelSystem

/// Restart policies, exponential backoff and its reset, and the crash-loop window.
@Suite(.ownThreads) struct RestartScheduleTests {
    private func schedule(_ policy: String, initial: Int64 = 100, maximum: Int64 = 1_000) -> RestartSchedule {
        RestartSchedule(.init(policy: policy, initialBackoffMs: initial, maxBackoffMs: maximum))
    }

    @Test func policiesDecideWhetherToRestart() {
        let always = schedule("always")
        let onFailure = schedule("on-failure")
        let never = schedule("never")
        #expect(always.restarts(after: .exited(0)) && always.restarts(after: .signaled(9)))
        #expect(!onFailure.restarts(after: .exited(0)))
        #expect(onFailure.restarts(after: .exited(1)) && onFailure.restarts(after: .signaled(15)))
        #expect(!never.restarts(after: .exited(1)) && !never.restarts(after: .signaled(9)))
    }

    @Test func backoffDoublesUpToTheMaximumAndResetsAfterAStableRun() {
        var restart = schedule("always", initial: 100, maximum: 1_000)
        let quick = Duration.milliseconds(50)
        let delays = (0..<6).map { _ in restart.exited(.exited(1), after: quick) }
        #expect(delays == [100, 200, 400, 800, 1_000, 1_000].map { .milliseconds($0) })
        #expect(restart.stableAfter == .seconds(10))
        let afterStableRun = restart.exited(.exited(1), after: .seconds(10))
        let afterQuickExit = restart.exited(.exited(1), after: quick)
        #expect(afterStableRun == .milliseconds(100))
        #expect(afterQuickExit == .milliseconds(200))
    }

    @Test func noDelayWhenThePolicyDoesNotRestart() {
        var restart = schedule("on-failure")
        let delay = restart.exited(.exited(0), after: .seconds(1))
        #expect(delay == nil)
        #expect(restart.nextDelay == .milliseconds(100))
    }

    @Test func crashLoopNeedsTheExitsWithinTheWindow() {
        var window = CrashLoopWindow<ContinuousClock.Instant>(exits: 3, within: .seconds(30))
        let start = ContinuousClock.Instant.now
        let verdicts = [0, 20, 31, 40].map { window.recordExit(at: start + .seconds($0)) }
        // At 31 s the first exit has left the window; 20 s, 31 s and 40 s are three within 30 s.
        #expect(verdicts == [false, false, false, true])
        window.reset()
        let afterReset = window.recordExit(at: start + .seconds(41))
        #expect(!afterReset)
    }
}
