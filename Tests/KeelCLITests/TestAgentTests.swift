import Foundation
import KeelLinux
import KeelTesting
import Testing

@Suite("keel test-agent: readiness, heartbeats, exits, HTTP health, stamps, memory and descendants", .ownThreads)
struct TestAgentTests {
    @Test("READY=1 with STATUS= reaches the notify socket from the agent's pid; SIGTERM ends it with 0")
    func readiness() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let socket = try DatagramSocket.bind(path: temporary.appending("notify"))
        defer { socket.close() }
        let pidFile = temporary.appending("pid")
        let agent = try TestAgentProcess(
            ["--ready-after", "0", "--status", "warming up", "--pid-file", pidFile],
            environment: ["NOTIFY_SOCKET": socket.path])
        let datagram = try #require(try TestAgentProbes.receive(on: socket))
        #expect(String(decoding: datagram.bytes, as: UTF8.self) == "READY=1\nSTATUS=warming up")
        #expect(datagram.senderPID == agent.pid)
        #expect(try FileSystem.readWholeFile(pidFile) == Array("\(agent.pid)\n".utf8))
        #expect(agent.waitForOutput(containing: "test-agent[\(agent.pid)]: ready after 0 ms: sent READY=1"))
        try agent.signal(SIGTERM)
        let result = agent.finish()
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("test-agent[\(agent.pid)]: started with --ready-after 0 --status warming up"))
        #expect(result.output.hasSuffix("SIGTERM received; exiting with status 0\n"))
    }

    @Test("heartbeats every WATCHDOG_USEC/2 stop at --skip-heartbeats-after; the agent keeps running")
    func heartbeats() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let socket = try DatagramSocket.bind(path: temporary.appending("notify"))
        defer { socket.close() }
        let agent = try TestAgentProcess(
            ["--heartbeat", "--skip-heartbeats-after", "350", "--name", "beat"],
            environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "200000"])
        let first = try #require(try TestAgentProbes.receive(on: socket))
        #expect(String(decoding: first.bytes, as: UTF8.self) == "WATCHDOG=1")
        #expect(first.senderPID == agent.pid)
        let stopped = try #require(agent.line(containing: "heartbeats stopped after "))
        let count = try #require(Int(stopped.split(separator: " ")[4]))
        // Stopped, not ended: it still answers a signal.
        try agent.signal(SIGINT)
        let result = agent.finish()
        #expect(result.status == 0)
        #expect(result.output.hasSuffix("SIGINT received; exiting with status 0\n"))
        let rest = try TestAgentProbes.drain(socket)
        #expect(rest.allSatisfy { $0 == "WATCHDOG=1" })
        #expect(count >= 1 && 1 + rest.count == count, "\(result.output)")
        #expect(result.output.contains("beat[\(agent.pid)]: heartbeat 1 (WATCHDOG=1, every 100 ms)"))
    }

    @Test("--heartbeat without WATCHDOG_USEC fails at once, saying so")
    func heartbeatNeedsWatchdog() throws {
        let result = try KeelBinary.run(["test-agent", "--heartbeat"])
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("--heartbeat needs WATCHDOG_USEC"))
    }

    @Test("--exit-after exits with --exit-code; --crash dies by SIGSEGV; contradictions are usage errors")
    func exits() throws {
        #expect(try KeelBinary.run(["test-agent", "--exit-after", "0", "--exit-code", "7"]).status == 7)
        let later = try KeelBinary.run(["test-agent", "--exit-after", "30", "--exit-code", "3"])
        #expect(later.status == 3)
        #expect(later.output.contains("exiting with status 3 (--exit-after 30 ms)"))
        #expect(try KeelBinary.run(["test-agent", "--exit-after", "0"]).status == 0)
        let crashed = try KeelBinary.run(["test-agent", "--crash"])
        #expect(crashed.status == 128 + SIGSEGV)
        #expect(crashed.output.contains("crashing with SIGSEGV"))
        #expect(try KeelBinary.run(["test-agent", "--exit-code", "3"]).status == 2)
        #expect(try KeelBinary.run(["test-agent", "--hang", "--exit-after", "5"]).status == 2)
        #expect(try KeelBinary.run(["test-agent", "--exit-after", "5", "--exit-code", "256"]).status == 2)
    }

    @Test("--ignore-term: SIGTERM changes nothing, SIGINT still ends the agent")
    func ignoreTerm() throws {
        let agent = try TestAgentProcess(["--ignore-term"])
        #expect(agent.waitForOutput(containing: "ignoring SIGTERM"))
        // An ignored signal is discarded when sent; one that was not would end the agent first.
        try agent.signal(SIGTERM)
        try agent.signal(SIGINT)
        let result = agent.finish()
        #expect(result.status == 0)
        #expect(result.output.hasSuffix("SIGINT received; exiting with status 0\n"))
        #expect(!result.output.contains("SIGTERM received"))
    }

    @Test("--http serves /health (200, then 503 once the health file says fail) and / as JSON")
    func http() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let portFile = temporary.appending("port")
        let healthFile = temporary.appending("health")
        let agent = try TestAgentProcess(
            ["--http", "0", "--port-file", portFile, "--health-file", healthFile, "--name", "web"])
        let listening = try #require(agent.line(containing: "listening on http://127.0.0.1:"))
        let portText = String(decoding: try FileSystem.readWholeFile(portFile), as: UTF8.self)
        let port = try #require(Int(portText.dropLast()))
        #expect(listening.hasSuffix("listening on http://127.0.0.1:\(port) (GET /health, GET /)"))

        let healthy = try TestAgentProbes.get("/health", port: port)
        #expect(healthy.status == 200 && healthy.body == "ok\n")
        try FileSystem.replaceFile(atPath: healthFile, with: Array("fail\n".utf8))
        let failing = try TestAgentProbes.get("/health", port: port)
        #expect(failing.status == 503 && failing.body == "unhealthy: \(healthFile) says fail\n")
        try FileSystem.replaceFile(atPath: healthFile, with: Array("ok\n".utf8))
        #expect(try TestAgentProbes.get("/health", port: port).status == 200)

        let about = try TestAgentProbes.get("/", port: port)
        #expect(about.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(about.body.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == "web")
        #expect(object?["pid"] as? Int == Int(agent.pid))
        #expect(object?["uptime_ms"] is Int)
        #expect(agent.waitForOutput(containing: "web[\(agent.pid)]: GET / -> 200"))
        try agent.signal(SIGTERM)
        let result = agent.finish()
        #expect(result.status == 0)
        #expect(result.output.contains("GET /health -> 200 ok\n"))
        #expect(result.output.contains("GET /health -> 503 (\(healthFile) says fail)\n"))
    }

    @Test("--unhealthy-after 0 makes /health answer 503 from the start, and READY=1 waits for the listener")
    func unhealthyAfter() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let socket = try DatagramSocket.bind(path: temporary.appending("notify"))
        defer { socket.close() }
        let agent = try TestAgentProcess(
            ["--http", "127.0.0.1:0", "--unhealthy-after", "0", "--ready-after", "0"],
            environment: ["NOTIFY_SOCKET": socket.path])
        _ = try #require(try TestAgentProbes.receive(on: socket))
        let listening = try #require(agent.line(containing: "listening on http://127.0.0.1:"))
        let port = try #require(listening.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        let answer = try TestAgentProbes.get("/health", port: port)
        #expect(answer.status == 503)
        #expect(answer.body.hasPrefix("unhealthy: unhealthy since 0 ms after start"))
        let ready = try #require(agent.line(containing: "ready after"))
        let lines = agent.output.split(separator: "\n").map(String.init)
        #expect(try #require(lines.firstIndex(of: listening)) < (try #require(lines.firstIndex(of: ready))))
        try agent.signal(SIGTERM)
        #expect(agent.finish().status == 0)
    }

    @Test("stamp appends `start NS` and `exit NS` lines, in order across runs, and exits 0")
    func stamp() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let file = temporary.appending("stamps")
        for _ in 0..<2 {
            let result = try KeelBinary.run(["test-agent", "stamp", file])
            #expect(result.status == 0 && result.output.isEmpty && result.errorOutput.isEmpty)
        }
        let lines = String(decoding: try FileSystem.readWholeFile(file), as: UTF8.self).split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ")[0] } == ["start", "exit", "start", "exit"])
        let stamps = lines.compactMap { $0.split(separator: " ").last.flatMap { UInt64($0) } }
        #expect(stamps.count == 4 && stamps == stamps.sorted())
        #expect(try KeelBinary.run(["test-agent", "stamp", temporary.appending("missing/stamps")]).status == 1)
    }

    @Test("--eat-memory touches and holds that much memory")
    func eatMemory() throws {
        let agent = try TestAgentProcess(["--eat-memory", "48"])
        #expect(agent.waitForOutput(containing: "eat-memory: 32 of 48 MiB touched"))
        #expect(agent.waitForOutput(containing: "eat-memory: holding 48 MiB"))
        let resident = try #require(try TestAgentProbes.residentKibibytes(of: agent.pid))
        #expect(resident >= 48 * 1024)
        try agent.signal(SIGTERM)
        #expect(agent.finish().status == 0)
    }

    @Test("--fork starts grandchildren in new sessions that ignore SIGTERM and outlive the agent")
    func forkGrandchildren() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let childrenFile = temporary.appending("children")
        let agent = try TestAgentProcess(["--fork", "3", "--fork-setsid", "--children-file", childrenFile])
        let forked = try #require(agent.line(containing: "forked 3 grandchildren"))
        let pids = try TestAgentProbes.pids(in: childrenFile)
        let grandchildren = try ForeignProcesses(pids)
        #expect(pids.count == 3)
        #expect(forked.hasSuffix(pids.map(String.init).joined(separator: " ")))
        for pid in pids {
            #expect(agent.waitForOutput(containing: "test-agent-grandchild[\(pid)]: leads new session \(pid)"))
            #expect(agent.waitForOutput(containing: "test-agent-grandchild[\(pid)]: ignoring SIGTERM"))
            let entry = try #require(ProcessTree.entry(of: pid))
            #expect(entry.parent == agent.pid && entry.session == pid && entry.processGroup == pid)
        }
        // The agent ends; its grandchildren do not, and shrug off SIGTERM.
        try agent.signal(SIGTERM)
        #expect(agent.waitForOutput(containing: "test-agent[\(agent.pid)]: SIGTERM received"))
        try grandchildren.signal(SIGTERM)
        try grandchildren.signal(SIGINT)
        for pid in pids {
            #expect(agent.waitForOutput(containing: "test-agent-grandchild[\(pid)]: SIGINT received"))
        }
        #expect(!agent.output.contains("grandchild[\(pids[0])]: SIGTERM"))
        #expect(grandchildren.killAll())
        #expect(agent.finish().status == 0)
    }

    @Test("--fork-bomb starts the children it can and says how many")
    func forkBomb() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let childrenFile = temporary.appending("children")
        let agent = try TestAgentProcess(["--fork-bomb", "4", "--children-file", childrenFile])
        #expect(agent.waitForOutput(containing: "fork-bomb: started 4 of 4 children"))
        let children = try ForeignProcesses(try TestAgentProbes.pids(in: childrenFile))
        #expect(children.count == 4)
        #expect(children.killAll())
        try agent.signal(SIGTERM)
        #expect(agent.finish().status == 0)
    }
}
