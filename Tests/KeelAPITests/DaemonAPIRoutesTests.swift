import Foundation
import KeelAPI
import KeelLinux
import KeelTesting
import Testing

@Suite("Every route of the local API, through DaemonClient on a real socket", .timeLimit(.minutes(5)), .ownThreads)
struct DaemonAPIRoutesTests {
    @Test("status returns the daemon's view")
    func status() async throws {
        let harness = try await APIHarness.start()
        let status = try await harness.withClient { try await $0.status() }
        #expect(status.generation == 3)
        #expect(status.probation?.remainingMs == 12_000)
        #expect(status.agents.map(\.name) == ["web", "worker"])
        #expect(await harness.daemon.calls == [.status])
    }

    @Test("start, stop and restart reach the daemon with the agent's name and return its view")
    func agentActions() async throws {
        let harness = try await APIHarness.start()
        let (stopped, started, restarted) = try await harness.withClient { client in
            (
                try await client.stop(agent: "web"), try await client.start(agent: "web"),
                try await client.restart(agent: "worker")
            )
        }
        #expect(stopped.state == "stopped" && stopped.pid == nil)
        #expect(started.state == "running")
        #expect(restarted.restarts == 2)
        #expect(await harness.daemon.calls == [.stop("web"), .start("web"), .restart("worker")])
    }

    @Test("switch sends the request as given; rollback reaches the daemon")
    func switchAndRollback() async throws {
        let harness = try await APIHarness.start()
        let request = SwitchRequest(systemPath: "/keel/store/def-system", configHash: "abc", gitCommit: "0123abcd")
        let (switched, rolledBack) = try await harness.withClient { client in
            (try await client.switchSystem(request), try await client.rollback())
        }
        #expect(switched.generation == 4 && switched.previousGeneration == 3 && switched.restarted == ["web"])
        #expect(rolledBack.generation == 3)
        #expect(await harness.daemon.calls == [.switchSystem(request), .rollback])
    }

    @Test("the daemon's APIError reaches the client with its status and message")
    func errorMapping() async throws {
        let harness = try await APIHarness.start()
        let (missing, conflict) = try await harness.withClient { client in
            let missing = await #expect(throws: DaemonClientError.self) { try await client.start(agent: "ghost") }
            let conflict = await #expect(throws: DaemonClientError.self) {
                try await client.switchSystem(SwitchRequest(generation: 99))
            }
            return (missing, conflict)
        }
        #expect(missing == .api(APIError(status: 404, "no agent 'ghost' in generation 3")))
        #expect(conflict == .api(.conflict("generation 99 failed its probation; switch to it with --force")))
    }

    @Test("events: the last N, or the first N after a sequence number")
    func events() async throws {
        let harness = try await APIHarness.start()
        for index in 1...5 { await harness.daemon.publish("agent.start", subject: "agent-\(index)") }
        let (last, after, page) = try await harness.withClient { client in
            (
                try await client.events(limit: 2), try await client.events(after: 3),
                try await client.events(after: 1, limit: 2)
            )
        }
        #expect(last.map(\.sequence) == [4, 5])
        #expect(after.map(\.sequence) == [4, 5])
        #expect(page.map(\.sequence) == [2, 3])
        #expect(last.first?.subject == "agent-4")
    }

    @Test("logs: the last lines of the agent's log, across a rotation; a missing log is 404")
    func logs() async throws {
        let harness = try await APIHarness.start()
        let directory = harness.paths.logDirectory(agent: "web")
        try FileSystem.makeDirectories(directory)
        try FileSystem.replaceFile(atPath: directory + "/current.1", with: Array("one\ntwo\nthree\n".utf8))
        try FileSystem.replaceFile(atPath: directory + "/current", with: Array("four\nfive".utf8))
        let (lines, missing) = try await harness.withClient { client in
            let lines = try await client.logs(agent: "web", lines: 3)
            let missing = await #expect(throws: DaemonClientError.self) { try await client.logs(agent: "worker") }
            return (lines, missing)
        }
        #expect(lines == LogLinesView(agent: "web", lines: ["three", "four", "five"]))
        guard case .api(let error) = missing else {
            Issue.record("expected an API error, got \(String(describing: missing))")
            return
        }
        #expect(error.status == 404 && error.message.contains("'worker' has no log"))
    }
}
