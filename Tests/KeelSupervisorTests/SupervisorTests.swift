import Foundation
import KeelLinux
import KeelSupervisor
import KeelTesting
import Testing

@testable import KeelSystem

/// The supervisor with real processes: starts, exits and restarts with backoff on a manual
/// clock, dependencies, activation that leaves unchanged agents alone, and stops that leave
/// no process behind.
@Suite(.ownThreads) struct SupervisorTests {
    static func agent(
        _ script: String, policy: String = "always", backoffMs: Int64 = 100, ready: String = "started",
        dependsOn: [String] = [], watchdogMs: Int64? = nil, readyTimeoutMs: Int64 = 60_000, env: [String: String] = [:]
    ) -> SystemManifest.Agent {
        SystemManifest.Agent(
            command: ["/bin/sh", "-c", script], env: ["PATH": "/usr/bin:/bin"].merging(env) { $1 }, packages: [],
            references: [], hostPaths: [:],
            restart: .init(policy: policy, initialBackoffMs: backoffMs, maxBackoffMs: backoffMs * 8), health: nil,
            ready: ready, readyTimeoutMs: readyTimeoutMs, watchdogMs: watchdogMs, limits: .init(), isolation: "none",
            dependsOn: dependsOn, stopTimeoutMs: 2_000, user: nil, workingDir: nil, state: "keep")
    }

    static func manifest(_ agents: [String: SystemManifest.Agent]) -> SystemManifest {
        SystemManifest(
            version: SystemManifest.currentVersion,
            host: .init(name: "test", system: "x86_64-linux", logMaxSize: 1 << 20, logFiles: 2), packages: [:],
            agents: agents,
            safeSwitch: .init(
                probationMs: 30_000, crashLoopExits: 3, crashLoopWithinMs: 30_000, unhealthyChecks: 3,
                readyTimeoutMs: 60_000))
    }

    private static func isAlive(_ pid: Int32) -> Bool {
        guard let entry = ProcessTree.entry(of: pid) else { return false }
        return !entry.isZombie
    }

    @Test func startsAgentsAndStopsThemLeavingNothing() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(
            paths: SupervisorPaths(root: root.path), clock: ContinuousClock(), sink: recorder.sink)
        // Ready once it has printed (the notification follows its output), so that the stop
        // below cannot come before the shell has run its first command.
        let script = "echo hello; echo $KEEL_AGENT; systemd-notify --ready; exec sleep 1000"
        await supervisor.activate(Self.manifest(["web": Self.agent(script, ready: "notify")]))
        #expect(await recorder.wait(for: "agent.ready", "web"))
        let snapshot = try #require(await supervisor.snapshot(of: "web"))
        #expect(snapshot.phase == .running)
        let pid = try #require(snapshot.pid)
        #expect(Self.isAlive(pid))
        #expect(FileManager.default.fileExists(atPath: root.path + "/run/agents/web/pid"))
        #expect(FileManager.default.fileExists(atPath: root.path + "/state/web"))
        try await supervisor.stop("web")
        #expect(!Self.isAlive(pid))
        #expect(await supervisor.snapshot(of: "web")?.phase == .stopped)
        #expect(!FileManager.default.fileExists(atPath: root.path + "/run/agents/web/pid"))
        let log = try String(contentsOfFile: root.path + "/logs/web/current", encoding: .utf8)
        #expect(log == "hello\nweb\n")
        #expect(recorder.count("agent.stop", "web") == 1)
    }

    @Test func restartsWithBackoffOnTheClock() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(paths: SupervisorPaths(root: root.path), clock: clock, sink: recorder.sink)
        await supervisor.activate(Self.manifest(["crasher": Self.agent("exit 3", backoffMs: 100)]))
        #expect(await recorder.wait(for: "agent.restart", "crasher"))
        #expect(await supervisor.snapshot(of: "crasher")?.phase == .backoff)
        #expect(recorder.count("agent.start", "crasher") == 1)
        let exit = try #require(recorder.events.first { $0.kind == "agent.exit" })
        #expect(exit.text("status") == "3")
        #expect(recorder.events.last { $0.kind == "agent.restart" }?.text("delay_ms") == "100")
        #expect(await Self.sleeper(on: clock, after: .milliseconds(100)))
        clock.advance(by: .milliseconds(100))
        #expect(await recorder.wait(for: "agent.restart", "crasher", count: 2))
        #expect(recorder.count("agent.start", "crasher") == 2)
        // The delay doubles.
        #expect(recorder.events.last { $0.kind == "agent.restart" }?.text("delay_ms") == "200")
        #expect(await Self.sleeper(on: clock, after: .milliseconds(200)))
        clock.advance(by: .milliseconds(199))
        #expect(recorder.count("agent.start", "crasher") == 2)
        clock.advance(by: .milliseconds(1))
        #expect(await recorder.wait(for: "agent.start", "crasher", count: 3))
        try await supervisor.stop("crasher")
        #expect(await supervisor.snapshot(of: "crasher")?.phase == .stopped)
        let restarts = try #require(await supervisor.snapshot(of: "crasher")?.restarts)
        #expect(restarts >= 2 && restarts == recorder.count("agent.restart", "crasher"))
    }

    @Test func onFailureLeavesACleanExitStopped() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(
            paths: SupervisorPaths(root: root.path), clock: ContinuousClock(), sink: recorder.sink)
        await supervisor.activate(Self.manifest(["job": Self.agent("exit 0", policy: "on-failure")]))
        #expect(await recorder.wait(for: "agent.stopped", "job"))
        #expect(await supervisor.snapshot(of: "job")?.phase == .stopped)
        #expect(recorder.count("agent.restart") == 0)
        await supervisor.stopAll()
    }

    @Test func dependentsStartOnceTheirDependencyIsReady() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(
            paths: SupervisorPaths(root: root.path), clock: ContinuousClock(), sink: recorder.sink)
        let fifo = root.path + "/go"
        #expect(mkfifo(fifo, 0o600) == 0)
        // db is ready only once it sends READY=1 (it waits for the test to open the fifo).
        let db = Self.agent(
            "read line < \(fifo); systemd-notify --ready; exec sleep 1000", ready: "notify")
        let api = Self.agent("exec sleep 1000", dependsOn: ["db"])
        await supervisor.activate(Self.manifest(["db": db, "api": api]))
        #expect(await recorder.wait(for: "agent.waiting", "api"))
        #expect(await supervisor.snapshot(of: "api")?.phase == .waiting)
        #expect(await supervisor.snapshot(of: "db")?.phase == .starting)
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: fifo))
        try writer.write(contentsOf: Data("go\n".utf8))
        try writer.close()
        #expect(await recorder.wait(for: "agent.ready", "api"))
        let readyOrder = recorder.events.filter { $0.kind == "agent.ready" }.map(\.subject)
        #expect(readyOrder == ["db", "api"])
        await supervisor.stopAll()
        // api (the dependent) stopped before db.
        let stops = recorder.events.filter { $0.kind == "agent.stop" }.map(\.subject)
        #expect(stops == ["api", "db"])
    }

    @Test func activationLeavesUnchangedAgentsRunning() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(
            paths: SupervisorPaths(root: root.path), clock: ContinuousClock(), sink: recorder.sink)
        let steady = Self.agent("exec sleep 1000")
        await supervisor.activate(Self.manifest(["steady": steady, "other": Self.agent("exec sleep 1001")]))
        #expect(await recorder.wait(for: "agent.ready", "other"))
        let pid = try #require(await supervisor.snapshot(of: "steady")?.pid)
        let otherPID = try #require(await supervisor.snapshot(of: "other")?.pid)
        for round in 0..<3 {
            let plan = await supervisor.activate(
                Self.manifest(["steady": steady, "other": Self.agent("exec sleep \(1002 + round)")]))
            #expect(plan.unchanged == ["steady"] && plan.changed == ["other"])
            #expect(await recorder.wait(for: "agent.ready", "other", count: round + 2))
            #expect(await supervisor.snapshot(of: "steady")?.pid == pid)
        }
        #expect(!Self.isAlive(otherPID))
        let plan = await supervisor.activate(Self.manifest(["steady": steady]))
        #expect(plan.removed == ["other"])
        #expect(await supervisor.snapshot(of: "other") == nil)
        #expect(await supervisor.snapshot(of: "steady")?.pid == pid)
        await supervisor.stopAll()
        #expect(!Self.isAlive(pid))
    }

    @Test func aMissedHeartbeatRestartsTheAgent() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(paths: SupervisorPaths(root: root.path), clock: clock, sink: recorder.sink)
        // It never sends a heartbeat, and exits 0 on SIGTERM: ended for failing, it still failed.
        let agent = Self.agent(
            "trap 'exit 0' TERM; sleep 1000 & wait", policy: "on-failure", backoffMs: 100, watchdogMs: 5_000)
        await supervisor.activate(Self.manifest(["quiet": agent]))
        #expect(await recorder.wait(for: "agent.ready", "quiet"))
        let pid = try #require(await supervisor.snapshot(of: "quiet")?.pid)
        #expect(await Self.sleeper(on: clock, after: .milliseconds(5_000)))
        clock.advance(by: .milliseconds(4_999))
        #expect(recorder.count("agent.watchdog") == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await recorder.wait(for: "agent.exit", "quiet"))
        #expect(recorder.count("agent.watchdog", "quiet") == 1)
        #expect(!Self.isAlive(pid))
        let exit = try #require(recorder.events.first { $0.kind == "agent.exit" })
        #expect(exit.text("reason")?.contains("watchdog") == true)
        #expect(exit.text("status") == "0" && exit.text("failed") == "true")
        #expect(await recorder.wait(for: "agent.restart", "quiet"))
        await supervisor.stopAll()
    }

    @Test func anAgentNotReadyInTimeIsEndedAsFailed() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(paths: SupervisorPaths(root: root.path), clock: clock, sink: recorder.sink)
        await supervisor.activate(
            Self.manifest([
                "slow": Self.agent("exec sleep 1000", policy: "never", ready: "notify", readyTimeoutMs: 1_000)
            ]))
        #expect(await recorder.wait(for: "agent.start", "slow"))
        #expect(await Self.sleeper(on: clock, after: .milliseconds(1_000)))
        clock.advance(by: .milliseconds(1_000))
        #expect(await recorder.wait(for: "agent.stopped", "slow"))
        #expect(recorder.count("agent.ready-timeout", "slow") == 1)
        #expect(await supervisor.snapshot(of: "slow")?.problem?.contains("not ready within 1000 ms") == true)
        await supervisor.stopAll()
    }

    @Test func aMissingProgramFailsWithAClearProblem() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(
            paths: SupervisorPaths(root: root.path), clock: ContinuousClock(), sink: recorder.sink)
        var agent = Self.agent("true")
        agent.command = ["no-such-program-here"]
        await supervisor.activate(Self.manifest(["ghost": agent]))
        let snapshot = try #require(await supervisor.snapshot(of: "ghost"))
        #expect(snapshot.phase == .failed)
        #expect(snapshot.problem?.contains("'no-such-program-here' is not in its PATH") == true)
        #expect(recorder.count("agent.start-failed", "ghost") == 1)
        await supervisor.stopAll()
    }

    @Test func anAgentWithAUserRunsAsThatUser() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        // The user must be able to reach its state directory (mkdtemp made the root 0700).
        #expect(chmod(root.path, 0o755) == 0)
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(
            paths: SupervisorPaths(root: root.path), clock: ContinuousClock(), sink: recorder.sink)
        var agent = Self.agent("echo uid=$(id -u) gid=$(id -g); touch $KEEL_STATE_DIR/mine", policy: "never")
        agent.user = "nobody"
        var ghost = Self.agent("true")
        ghost.user = "no-such-user-here"
        await supervisor.activate(Self.manifest(["worker": agent, "ghost": ghost]))
        #expect(await recorder.wait(for: "agent.exit", "worker"), "\(recorder.events)")
        let log = try String(contentsOfFile: root.path + "/logs/worker/current", encoding: .utf8)
        #expect(log == "uid=65534 gid=65534\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: root.path + "/state/worker/mine")
        #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 65534)
        let snapshot = try #require(await supervisor.snapshot(of: "ghost"))
        #expect(snapshot.phase == .failed)
        #expect(snapshot.problem?.contains("there is no user 'no-such-user-here'") == true)
        await supervisor.stopAll()
    }

    @Test func anEphemeralStateIsEmptiedOncePerGenerationNotAtEachRestart() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(paths: SupervisorPaths(root: root.path), clock: clock, sink: recorder.sink)
        func agent(_ generation: Int) -> SystemManifest.Agent {
            var agent = Self.agent(
                "echo \"gen \(generation): $(ls $KEEL_STATE_DIR)\"; touch $KEEL_STATE_DIR/mark; exit 1",
                policy: "always", backoffMs: 100)
            agent.state = "ephemeral"
            return agent
        }
        await supervisor.activate(Self.manifest(["scratch": agent(1)]))
        #expect(await recorder.wait(for: "agent.restart", "scratch"))
        #expect(await Self.sleeper(on: clock, after: .milliseconds(100)))
        clock.advance(by: .milliseconds(100))
        #expect(await recorder.wait(for: "agent.restart", "scratch", count: 2))
        await supervisor.activate(Self.manifest(["scratch": agent(2)]))
        #expect(await recorder.wait(for: "agent.exit", "scratch", count: 3))
        await supervisor.stopAll()
        let log = try String(contentsOfFile: root.path + "/logs/scratch/current", encoding: .utf8)
        #expect(log == "gen 1: \ngen 1: mark\ngen 2: \n")
    }

    @Test func aRestartPreparesTheAgentAnewWhenItsDirectoryWasRemoved() async throws {
        // Restarts reuse the last start's plan (directories made, program found); one whose
        // working directory went away meanwhile makes it again instead of failing.
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let clock = ManualClock()
        let recorder = SupervisorEventRecorder()
        let supervisor = Supervisor(paths: SupervisorPaths(root: root.path), clock: clock, sink: recorder.sink)
        await supervisor.activate(Self.manifest(["job": Self.agent("echo \"in $(pwd)\"; exit 1", backoffMs: 100)]))
        #expect(await recorder.wait(for: "agent.restart", "job"))
        let state = root.path + "/state/job"
        try FileManager.default.removeItem(atPath: state)
        #expect(await Self.sleeper(on: clock, after: .milliseconds(100)))
        clock.advance(by: .milliseconds(100))
        #expect(await recorder.wait(for: "agent.restart", "job", count: 2))
        #expect(recorder.count("agent.start", "job") == 2)
        #expect(recorder.count("agent.start-failed", "job") == 0)
        await supervisor.stopAll()
        #expect(FileManager.default.fileExists(atPath: state))
        let log = try String(contentsOfFile: root.path + "/logs/job/current", encoding: .utf8)
        #expect(log == "in \(state)\nin \(state)\n")
    }

    /// Waits until a timer sleeps until `delay` from the clock's now; false after a 30 s
    /// watchdog.
    static func sleeper(on clock: ManualClock, after delay: Duration) async -> Bool {
        let deadline = clock.now.advanced(by: delay)
        // Only a broken supervisor never arms the timer.
        let watchdog = Watchdog.start { clock.stopWaiting() }
        defer { watchdog.cancel() }
        return await clock.waitForSleeper(until: deadline)
    }
}
