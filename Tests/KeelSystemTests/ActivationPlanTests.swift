import KeelTesting
import Testing

@testable import KeelSystem

/// What activating a generation stops, restarts and starts, and in which order.
@Suite(.ownThreads) struct ActivationPlanTests {
    private func agent(_ command: String, dependsOn: [String] = []) -> SystemManifest.Agent {
        SystemManifest.Agent(
            command: [command], env: [:], packages: [], references: [], hostPaths: [:],
            restart: .init(policy: "on-failure", initialBackoffMs: 100, maxBackoffMs: 30_000), health: nil,
            ready: "started", readyTimeoutMs: 60_000, watchdogMs: nil, limits: .init(), isolation: "none",
            dependsOn: dependsOn, stopTimeoutMs: 10_000, user: nil, workingDir: nil, state: "keep")
    }

    private func manifest(_ agents: [String: SystemManifest.Agent]) -> SystemManifest {
        SystemManifest(
            version: SystemManifest.currentVersion,
            host: .init(name: "h", system: "x86_64-linux", logMaxSize: 10 << 20, logFiles: 5), packages: [:],
            agents: agents,
            safeSwitch: .init(
                probationMs: 30_000, crashLoopExits: 3, crashLoopWithinMs: 30_000, unhealthyChecks: 3,
                readyTimeoutMs: 60_000))
    }

    @Test func firstActivationStartsEverythingDependenciesFirst() {
        let new = manifest([
            "web": agent("web", dependsOn: ["api"]), "api": agent("api", dependsOn: ["db"]), "db": agent("db"),
            "cron": agent("cron"),
        ])
        let plan = ActivationPlan(from: nil, to: new)
        #expect(plan.added == ["api", "cron", "db", "web"])
        #expect(plan.steps == [.start("db"), .start("api"), .start("cron"), .start("web")])
        #expect(plan.removed.isEmpty && plan.changed.isEmpty && plan.unchanged.isEmpty)
    }

    @Test func unchangedAgentsAreLeftAloneAndTheRestOrdered() {
        let old = manifest([
            "db": agent("db"), "api": agent("api", dependsOn: ["db"]), "web": agent("web", dependsOn: ["api"]),
            "legacy": agent("legacy", dependsOn: ["db"]),
        ])
        let new = manifest([
            "db": agent("db"), "api": agent("api-v2", dependsOn: ["db"]), "web": agent("web", dependsOn: ["api"]),
            "search": agent("search", dependsOn: ["api"]),
        ])
        let plan = ActivationPlan(from: old, to: new)
        #expect(plan.removed == ["legacy"])
        #expect(plan.changed == ["api"])
        #expect(plan.added == ["search"])
        #expect(plan.unchanged == ["db", "web"])
        // Stops in reverse dependency order of the old generation, then starts in the new one's.
        #expect(plan.steps == [.stop("legacy"), .stop("api"), .start("api"), .start("search")])
    }

    @Test func sameManifestDoesNothing() {
        let same = manifest(["a": agent("a"), "b": agent("b", dependsOn: ["a"])])
        let plan = ActivationPlan(from: same, to: same)
        #expect(plan.steps.isEmpty)
        #expect(plan.unchanged == ["a", "b"])
    }

    @Test func dependencyOrderSurvivesACycleAndUnknownNames() {
        let broken = manifest([
            "a": agent("a", dependsOn: ["b"]), "b": agent("b", dependsOn: ["a"]),
            "c": agent("c", dependsOn: ["ghost"]),
        ])
        let order = ActivationPlan.dependencyOrder(broken)
        #expect(Set(order) == ["a", "b", "c"])
        #expect(order.count == 3)
    }
}
