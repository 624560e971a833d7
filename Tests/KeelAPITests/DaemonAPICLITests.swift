import Foundation
import KeelAPI
import KeelLinux
import KeelTesting
import Testing

@Suite("keel status, start|stop|restart and events talk to a daemon's API", .timeLimit(.minutes(5)), .ownThreads)
struct DaemonAPICLITests {
    /// Runs keel on a thread of its own, so the server's tasks keep their threads meanwhile.
    private func keel(_ arguments: [String]) async throws -> ProcessResult {
        try await Blocking.run { try KeelBinary.run(arguments) }
    }

    @Test("keel status shows the generation, probation, cgroups and one row per agent; --json is the API's body")
    func status() async throws {
        let (human, json) = try await APIHarness.serving { harness in
            let root = harness.paths.root
            return (try await keel(["status", "--root", root]), try await keel(["status", "--json", "--root", root]))
        }
        #expect(human.status == 0, "\(human.errorOutput)")
        let lines = human.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "generation: 3  /keel/store/abc-system")
        #expect(lines.contains("probation:  generation 3 on probation, 12s left"))
        #expect(lines.contains("cgroups:    cgroup v1"))
        let header = try #require(lines.first { $0.hasPrefix("AGENT") })
        #expect(
            header.split(separator: " ") == ["AGENT", "STATE", "PID", "UPTIME", "RESTARTS", "LAST", "EXIT", "HEALTH"])
        let web = try #require(lines.first { $0.hasPrefix("web ") })
        #expect(web.split(separator: " ").prefix(3) == ["web", "running", "1000"])
        #expect(web.hasSuffix("healthy"))
        let worker = try #require(lines.first { $0.hasPrefix("worker ") })
        #expect(worker.contains("exit 1 ("))
        #expect(json.status == 0, "\(json.errorOutput)")
        let decoded = try JSONDecoder().decode(DaemonStatus.self, from: Data(json.standardOutput))
        #expect(decoded.generation == 3 && decoded.agents.count == 2)
    }

    @Test("keel start|stop|restart reach the daemon; an unknown agent is the daemon's 404 message, exit 1")
    func agentActions() async throws {
        let daemon = FakeDaemon()
        let results = try await APIHarness.serving(daemon: daemon) { harness in
            let root = harness.paths.root
            return [
                try await keel(["stop", "web", "--root", root]),
                try await keel(["start", "--json", "web", "--root", root]),
                try await keel(["restart", "worker", "--root", root]),
                try await keel(["start", "ghost", "--root", root]),
                try await keel(["start", "-bad", "--root", root]),
            ]
        }
        #expect(results[0].status == 0 && results[0].output == "web: stopped\n", "\(results[0].errorOutput)")
        let started = try JSONDecoder().decode(AgentStatusView.self, from: Data(results[1].standardOutput))
        #expect(started.name == "web" && started.state == "running")
        #expect(results[2].output == "worker: running, pid 1001\n")
        #expect(results[3].status == 1 && results[3].errorOutput == "keel: no agent 'ghost' in generation 3\n")
        #expect(results[4].status != 0)
        #expect(await daemon.calls == [.stop("web"), .start("web"), .restart("worker"), .start("ghost")])
    }

    @Test("keel events prints the last -n events, one line each; --json one object per line")
    func events() async throws {
        let daemon = FakeDaemon()
        await daemon.publish("agent.start", subject: "web", details: ["pid": "1000"])
        await daemon.publish("agent.exit", subject: "web", details: ["code": "1", "reason": "out of memory"])
        await daemon.publish("system.switch", subject: "generation-4")
        let (human, json) = try await APIHarness.serving(daemon: daemon) { harness in
            let root = harness.paths.root
            return (
                try await keel(["events", "-n", "2", "--root", root]),
                try await keel(["events", "--json", "--root", root])
            )
        }
        #expect(human.status == 0, "\(human.errorOutput)")
        let lines = human.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(
            lines.first?.hasPrefix("#2 2023-11-14T22:13:20.001Z agent.exit web code=1 reason=\"out of memory\"") == true
        )
        #expect(lines.last?.hasPrefix("#3 ") == true)
        let objects = try json.output.split(separator: "\n").map {
            try JSONDecoder().decode(DaemonEvent.self, from: Data($0.utf8))
        }
        #expect(objects.map(\.sequence) == [1, 2, 3])
    }

    @Test("keel events -f prints events as the daemon records them")
    func followEvents() async throws {
        let daemon = FakeDaemon()
        try await APIHarness.serving(daemon: daemon) { harness in
            let follower = try OutputProcess(KeelBinary.path, ["events", "-f", "--root", harness.paths.root])
            defer { follower.stop() }
            var subscriptions = daemon.subscriptions.makeAsyncIterator()
            _ = await subscriptions.next()
            await daemon.publish("agent.ready", subject: "web")
            let seen = try await Blocking.run { follower.waitForOutput(containing: "agent.ready web") }
            #expect(seen, "\(follower.outputSoFar)")
        }
    }
}
