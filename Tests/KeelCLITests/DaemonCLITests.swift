import Foundation
import KeelAPI
import KeelLinux
import KeelTesting
import Testing

/// `keel daemon` with the real binary: switches through the daemon, SafeSwitch rolling a
/// crash-looping generation back by itself, an unchanged agent keeping its process, and a
/// daemon killed with SIGKILL whose successor replaces the agents it left.
@Suite(.serialized, .ownThreads) struct DaemonCLITests {
    /// A free loopback port (bound, read, released).
    static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func config(webCommand: String, port: Int) -> String {
        let keel = KeelBinary.path
        return """
            [host]
            name = "daemon-test"

            [agents.steady]
            command = ["\(keel)", "test-agent", "--name", "steady"]

            [agents.web]
            command = [\(webCommand)]
            ready = "health"
            health = { http = "http://127.0.0.1:\(port)/health", interval = "1s" }
            restart = { policy = "always", initial_backoff = "50ms", max_backoff = "1s" }

            [safeswitch]
            probation = "2s"
            """
    }

    /// Follows the daemon's events until `predicate` holds for one (true), or 60 s pass (false).
    static func waitForEvent(
        root: String, after: Int? = nil, _ predicate: @escaping @Sendable (DaemonEvent) -> Bool
    ) async -> DaemonEvent? {
        let follow = Task {
            try? await DaemonClient.with(paths: DaemonPaths(root: root)) { client in
                for try await event in try await client.followEvents(after: after) where predicate(event) {
                    return event
                }
                return nil
            }
        }
        let watchdog = Watchdog.start(after: .seconds(60)) { follow.cancel() }
        defer { watchdog.cancel() }
        return await follow.value ?? nil
    }

    static func status(root: String) async throws -> DaemonStatus {
        try await DaemonClient.with(paths: DaemonPaths(root: root)) { try await $0.status() }
    }

    static func isAlive(_ pid: Int32) -> Bool { ProcessTree.entry(of: pid).map { !$0.isZombie } ?? false }

    /// The names of process `pid`'s threads (`/proc/PID/task/*/comm`).
    static func threadNames(of pid: Int32) -> [String] {
        let tasks = "/proc/\(pid)/task"
        return ((try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []).compactMap {
            try? String(contentsOfFile: "\(tasks)/\($0)/comm", encoding: .utf8)
        }
    }

    /// The live processes whose environment says they are (or descend from) agent `name` of
    /// `root`.
    static func agentProcesses(_ name: String, root: String) -> [ProcessEntry] {
        ((try? ProcessTree.snapshot()) ?? []).filter { entry in
            guard !entry.isZombie, let environment = ProcessTree.environment(of: entry.pid) else { return false }
            return environment.contains("KEEL_AGENT=\(name)")
                && environment.contains("KEEL_STATE_DIR=\(root)/state/\(name)")
        }
    }

    @Test func safeSwitchRollsBackACrashLoopAndUnchangedAgentsKeepTheirProcess() async throws {
        let host = try HostFixture(prefix: "keel-daemon")
        defer { host.remove() }
        let port = try #require(Self.freePort())
        let keel = KeelBinary.path
        try host.writeConfig(
            Self.config(
                webCommand: "\"\(keel)\", \"test-agent\", \"--name\", \"web\", \"--http\", \"127.0.0.1:\(port)\"",
                port: port))
        let first = try host.keel(["switch", "-f", host.configFile] + host.storeArguments)
        #expect(first.status == 0, "\(first.errorOutput)")
        #expect(first.errorOutput.contains("no keel daemon is running"))

        let daemon = try BackgroundKeel(["daemon"] + host.storeArguments)
        #expect(daemon.waitForStandardError(containing: "daemon running", seconds: 60))
        // Generation 1 was pending (switched without a daemon): it is judged now.
        #expect(await Self.waitForEvent(root: host.root) { $0.kind == "safeswitch.passed" } != nil)
        let running = try await Self.status(root: host.root)
        #expect(running.generation == 1)
        #expect(running.lastGoodGeneration == 1)
        let steadyPID = try #require(running.agents.first { $0.name == "steady" }?.pid)
        #expect(running.agents.first { $0.name == "web" }?.state == "running")
        #expect(running.agents.first { $0.name == "web" }?.health == "healthy")

        // Generation 2's web exits at once: SafeSwitch rolls back to generation 1.
        try host.writeConfig(
            Self.config(
                webCommand:
                    "\"\(keel)\", \"test-agent\", \"--name\", \"web\", \"--exit-after\", \"0\", \"--exit-code\", \"1\"",
                port: port))
        let last = (try await DaemonClient.with(paths: DaemonPaths(root: host.root)) { try await $0.events() }).last?
            .sequence
        let second = try host.keel(["switch", "-f", host.configFile] + host.storeArguments)
        #expect(second.status == 0, "\(second.errorOutput)")
        #expect(second.output.contains("generation 2"))
        #expect(second.errorOutput.contains("restarted web"))
        #expect(second.errorOutput.contains("unchanged steady"))
        let rolledBack = await Self.waitForEvent(root: host.root, after: last) { $0.kind == "safeswitch.rolled-back" }
        #expect(rolledBack?.details["to"] == "1")
        #expect(rolledBack?.details["reason"]?.contains("agent web crash-looped") == true)
        #expect(
            await Self.waitForEvent(root: host.root, after: last) { $0.kind == "agent.ready" && $0.subject == "web" }
                != nil)
        let after = try await Self.status(root: host.root)
        #expect(after.generation == 1)
        #expect(after.probation?.state == "failed")
        #expect(after.agents.first { $0.name == "steady" }?.pid == steadyPID)
        let generations = try host.keel(["generations", "--json"] + host.storeArguments)
        #expect(generations.output.contains("\"failed\""))

        // A failed generation needs --force.
        let refused = try host.keel(["switch", "--to", "2"] + host.storeArguments)
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("failed its probation"))

        // Timers, health checks, switches and a rollback later, the daemon has no thread of
        // libdispatch's worker pool (named after its queues' QoS): its monitor, which such a
        // thread starts, would wake the daemon every second for the rest of its life.
        let daemonPID = try await Self.status(root: host.root).pid
        let threads = Self.threadNames(of: daemonPID)
        #expect(!threads.isEmpty && !threads.contains { $0.contains("qos") }, "\(threads)")

        // SIGTERM stops every agent, then the daemon exits 0.
        let webPID = try #require(after.agents.first { $0.name == "web" }?.pid)
        kill(daemonPID, SIGTERM)
        let ended = daemon.finish()
        #expect(ended.status == 0, "\(ended.errorOutput)")
        #expect(!Self.isAlive(steadyPID) && !Self.isAlive(webPID))
        #expect(!FileManager.default.fileExists(atPath: host.root + "/run/keel.sock"))

        // The ledger has every step and verifies.
        let verify = try host.keel(["ledger", "verify", "--root", host.root])
        #expect(verify.status == 0, "\(verify.errorOutput)")
    }

    @Test func aDaemonKilledWithSIGKILLIsSucceededWithoutTwoCopiesOfAnAgent() async throws {
        let host = try HostFixture(prefix: "keel-daemon")
        defer { host.remove() }
        let keel = KeelBinary.path
        try host.writeConfig(
            """
            [host]
            name = "adopt"

            [agents.solo]
            command = ["\(keel)", "test-agent", "--name", "solo", "--fork", "12", "--ready-after", "0"]
            ready = "notify"
            """)
        #expect(try host.keel(["switch", "-f", host.configFile] + host.storeArguments).status == 0)
        var daemon: BackgroundKeel? = try BackgroundKeel(["daemon"] + host.storeArguments)
        #expect(daemon?.waitForStandardError(containing: "daemon running", seconds: 60) == true)
        // Ready once it has forked its grandchildren and said so: killed earlier, the daemon
        // would take the agent's stdout with it, and the agent's next line would end it (SIGPIPE).
        #expect(await Self.waitForEvent(root: host.root) { $0.kind == "agent.ready" && $0.subject == "solo" } != nil)
        let before = try #require(try await Self.status(root: host.root).agents.first?.pid)
        kill(try await Self.status(root: host.root).pid, SIGKILL)
        _ = daemon?.finish()
        daemon = nil
        #expect(Self.isAlive(before))

        let successor = try BackgroundKeel(["daemon"] + host.storeArguments)
        #expect(successor.waitForStandardError(containing: "daemon running", seconds: 60))
        let status = try await Self.status(root: host.root)
        let now = try #require(status.agents.first?.pid)
        #expect(now != before)
        #expect(!Self.isAlive(before))
        // The new agent (and whichever of its grandchildren have started), all in its session:
        // nothing of the old one or its grandchildren.
        let processes = Self.agentProcesses("solo", root: host.root)
        #expect(processes.contains { $0.pid == now })
        let strays = processes.filter { $0.session != now }
        #expect(strays.isEmpty, "processes outside the new agent's session: \(strays)")
        let events = try await DaemonClient.with(paths: DaemonPaths(root: host.root)) { try await $0.events() }
        #expect(
            events.contains { $0.kind == "agent.leftover-ended" && $0.details["pid"] == String(before) },
            "\(events.map { "\($0.kind) \($0.subject) \($0.details)" })")
        kill(try await Self.status(root: host.root).pid, SIGTERM)
        #expect(successor.finish().status == 0)
        #expect(Self.agentProcesses("solo", root: host.root).isEmpty)
    }

    @Test func aStrictAgentSeesOnlyItsClosureItsStateAndItsOwnProcesses() async throws {
        let host = try HostFixture(prefix: "keel-daemon")
        defer { host.remove() }
        try host.addBusybox()
        let other = host.root + "/state/other"
        let probe = [
            "test -e /etc/shadow && echo shadow:visible || echo shadow:hidden",
            "cat \(other)/secret 2>/dev/null && echo other:readable || echo other:hidden",
            "test -e \(host.storeDirectory) && ls \(host.storeDirectory) | wc -l | sed 's/^/store-entries:/'",
            "echo ownpid:$$", "echo pids:$(ls /proc | grep -c '^[0-9]')", "echo hostname:$(cat /etc/hostname)",
            "echo me > $KEEL_STATE_DIR/written && echo state:writable",
        ].joined(separator: "; ")
        try host.writeConfig(
            """
            [host]
            name = "strict"

            [packages.tools]
            src = "./tools"

            [packages.unrelated]
            src = "./unrelated"

            [agents.other]
            command = ["\(KeelBinary.path)", "test-agent", "--name", "other"]

            [agents.boxed]
            command = ["${packages.tools}/bin/busybox", "sh", "-c", "\(probe)"]
            isolation = "strict"
            restart = { policy = "never" }
            depends_on = ["other"]
            """)
        try host.write("unrelated/file", "not for boxed\n")
        #expect(try host.keel(["switch", "-f", host.configFile] + host.storeArguments).status == 0)
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try "secret\n".write(toFile: other + "/secret", atomically: false, encoding: .utf8)
        let daemon = try BackgroundKeel(["daemon"] + host.storeArguments)
        #expect(daemon.waitForStandardError(containing: "daemon running", seconds: 60))
        let exit = await Self.waitForEvent(root: host.root) { $0.kind == "agent.exit" && $0.subject == "boxed" }
        #expect(exit?.details["status"] == "0")
        let log = (try? String(contentsOfFile: host.root + "/logs/boxed/current", encoding: .utf8)) ?? ""
        #expect(log.contains("shadow:hidden"), "\(log)")
        #expect(log.contains("other:hidden"), "\(log)")
        // The store directory shows only the closure: busybox's package (not `unrelated`).
        #expect(log.contains("store-entries:1"), "\(log)")
        // Its own PID namespace: it is PID 1, and /proc lists only it and the pipeline's
        // commands (sh, ls, grep), not the host's hundreds of processes.
        #expect(log.contains("ownpid:1\n"), "\(log)")
        let pids = log.split(separator: "\n").first { $0.hasPrefix("pids:") }.flatMap { Int($0.dropFirst(5)) }
        #expect(pids.map { $0 <= 4 } == true, "\(log)")
        #expect(log.contains("hostname:boxed"), "\(log)")
        #expect(log.contains("state:writable"), "\(log)")
        kill(try await Self.status(root: host.root).pid, SIGTERM)
        #expect(daemon.finish().status == 0)
    }
}
