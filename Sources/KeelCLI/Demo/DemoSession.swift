import Foundation
import KeelAPI
import KeelLedger
import KeelLinux
import Synchronization

/// The demo's acts, in order: start a daemon, switch to a good generation and watch it pass
/// probation, show `keel status`, switch to a broken generation and watch SafeSwitch roll it
/// back, then verify the ledger and show the rollback's entries. `stopDaemon()` ends it.
final class DemoSession: Sendable {
    /// The demo's directory.
    let workspace: DemoWorkspace
    /// The running keel binary, run for every child.
    let binary: String
    /// Ctrl-C handling.
    let interruption: DemoInterruption
    /// Where the story goes.
    let output: DemoOutput
    /// The clock of every timeout.
    let clock: any Clock<Duration>
    private let daemon = Mutex<DemoDaemon?>(nil)

    /// The good generation's number in the demo's fresh root.
    static let goodGeneration = 1
    /// The broken one's.
    static let brokenGeneration = 2
    /// How long the daemon may take to start.
    static let daemonStartTimeout = Duration.seconds(30)
    /// How long a command may take (`keel lock`, `keel switch`, whose first run downloads and
    /// unpacks the runtime, `keel ledger verify`).
    static let commandTimeout = Duration.seconds(180)
    /// How long the demo waits for a milestone in the events.
    static let milestoneTimeout = Duration.seconds(30)
    /// How long the daemon may take to stop its agents and exit before it is killed.
    static let stopTimeout = Duration.seconds(20)

    /// A session in `workspace`.
    init(
        workspace: DemoWorkspace, binary: String, interruption: DemoInterruption, output: DemoOutput,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.workspace = workspace
        self.binary = binary
        self.interruption = interruption
        self.output = output
        self.clock = clock
    }

    private var root: String { workspace.root }
    private var paths: DaemonPaths { DaemonPaths(root: workspace.root) }
    private var commands: DemoCommandRun {
        DemoCommandRun(
            binary: binary, directory: workspace.directory, interruption: interruption,
            timeout: Self.commandTimeout, clock: clock)
    }
    private var events: DemoEventWatch { DemoEventWatch(paths: paths, output: output, clock: clock) }

    /// Plays every act.
    func play() async throws {
        output.line("keel demo: a daemon runs two agents; a broken deploy follows, and SafeSwitch rolls it back.")
        output.line("Working in \(workspace.directory) (a fresh Keel root and config; removed at the end).")
        try interruption.check()
        try workspace.prepare(binary: binary)
        let port = try await DemoPort.pick()
        try workspace.writeConfigs(port: port, web: .python)
        try await lockRuntime(port: port)
        try interruption.check()
        try await startDaemon()
        try await switchToGoodGeneration()
        output.heading("3. What runs now")
        try await showStatus()
        try await switchToBrokenGeneration()
        try await showLedger()
    }

    /// `keel lock` of the good generation: resolves web's Python runtime against this host's
    /// apt lists. Where that cannot be done (no apt lists, no apt-get), the test agent plays web.
    private func lockRuntime(port: Int) async throws {
        output.heading("0. Lock web's runtime: Debian's Python 3.11, pinned by hash")
        let arguments = ["lock", "-f", workspace.goodConfig]
        output.command(["keel"] + arguments)
        let (termination, text) = try await commands.run(arguments)
        output.indented(text)
        try interruption.check()
        guard termination == .exited(0) else {
            output.line("No Debian runtime can be locked here (run apt-get update for one); keel test-agent plays web.")
            try workspace.writeConfigs(port: port, web: .testAgent)
            return
        }
        output.line("The first switch downloads those .debs with apt-get (once per host), unpacks them into")
        output.line("the store and runs web in the runtime's view.")
    }

    private func startDaemon() async throws {
        output.heading("1. Start the daemon")
        output.command(["keel", "daemon", "--root", root])
        let daemon = try DemoDaemon.start(
            binary: binary, root: root, directory: workspace.directory, interruption: interruption)
        self.daemon.withLock { $0 = daemon }
        output.indented(try await daemon.waitUntilRunning(timeout: Self.daemonStartTimeout, clock: clock))
        try interruption.check()
    }

    private func switchToGoodGeneration() async throws {
        output.heading("2. Switch to generation \(Self.goodGeneration): two sample agents")
        output.line("web serves HTTP and is ready once its /health answers; worker speaks systemd's notify")
        output.line("protocol (READY=1, STATUS=, a WATCHDOG=1 heartbeat every second) and starts after web.")
        output.line("The new generation is on probation for \(DemoConfiguration.probation).")
        let (after, startMs) = try await switchTo(workspace.goodConfig)
        _ = try await events.follow(
            after: after, from: startMs, until: .passed(generation: Self.goodGeneration),
            timeout: Self.milestoneTimeout)
    }

    private func switchToBrokenGeneration() async throws {
        output.heading("4. A broken deploy: web now exits with status 1 as soon as it starts")
        let (after, startMs) = try await switchTo(workspace.brokenConfig)
        let healthy = try await events.follow(
            after: after, from: startMs,
            until: .healthyAfterRollback(agent: "web", from: Self.brokenGeneration), timeout: Self.milestoneTimeout)
        let seconds = String(format: "%.2f", Double(healthy.atMs - startMs) / 1000)
        output.line()
        output.line(
            "SafeSwitch: \(seconds) s from `keel switch` to the previous generation's web passing its health check "
                + "again, with no one at the keyboard.")
        try await showStatus()
    }

    /// Runs `keel switch -f config`, showing its output; returns the daemon's last event number
    /// before the switch, and when the switch began (Unix milliseconds).
    private func switchTo(_ config: String) async throws -> (after: Int, startMs: Int64) {
        let after = try await daemonCall { try await $0.events(limit: 1).last?.sequence ?? 0 }
        let arguments = ["switch", "-f", config, "--root", root]
        output.command(["keel"] + arguments)
        let startMs = Self.nowMs
        let (termination, text) = try await commands.run(arguments)
        output.indented(text)
        guard termination == .exited(0) else { throw CLIError("keel switch failed (\(termination))") }
        try interruption.check()
        output.line("What the daemon did (its events, time from the switch):")
        return (after, startMs)
    }

    private func showStatus() async throws {
        output.command(["keel", "status", "--root", root])
        let status = try await daemonCall { try await $0.status() }
        output.indented(StatusView.render(status, nowMs: Self.nowMs))
        try interruption.check()
    }

    private func showLedger() async throws {
        output.heading("5. The audit ledger: every step above, hash-chained and signed")
        let arguments = ["ledger", "verify", "--root", root]
        output.command(["keel"] + arguments)
        let (termination, text) = try await commands.run(arguments)
        output.indented(text)
        guard termination == .exited(0) else { throw CLIError("keel ledger verify failed (\(termination))") }
        output.line()
        output.line("The rollback's entries (`keel ledger log --root \(root)` lists them all):")
        let broken = "generation-\(Self.brokenGeneration)"
        do {
            let snapshot = try LedgerSnapshot(directory: LedgerDirectory(root: root))
            _ = try snapshot.entries { entry in
                let shown =
                    (entry.kind.hasPrefix("safeswitch.") && entry.subject == broken) || entry.kind == "system.rollback"
                if shown { output.line("  " + LedgerRendering.text(entry)) }
                return true
            }
        } catch {
            throw CLIError("cannot read the ledger in \(root)/ledger: \(error)")
        }
    }

    /// One request to the daemon, its errors as CLI errors.
    private func daemonCall<T: Sendable>(_ body: @Sendable (DaemonClient) async throws -> T) async throws -> T {
        do { return try await DaemonClient.with(paths: paths, body) } catch let error as DaemonClientError {
            throw CLIError("asking the demo's daemon failed: \(error)")
        }
    }

    /// Stops the daemon if it was started (blocking; call once the acts are over).
    ///
    /// - Returns: what went wrong, if anything.
    func stopDaemon() -> String? {
        guard let daemon = daemon.withLock({ $0 }) else { return nil }
        let (termination, killed) = daemon.stop(timeout: Self.stopTimeout, clock: clock)
        if killed {
            return
                "keel daemon did not stop within \(DemoOutput.seconds(Self.stopTimeout)); killed it (its agents may still run)"
        }
        switch termination {
        case .exited(0): return nil
        case .some(let ending): return "keel daemon ended with \(ending)" + daemon.saying
        case nil: return "cannot wait for keel daemon to end"
        }
    }

    /// What the daemon said last on stderr (`: ...`), or nothing.
    var daemonSaying: String { daemon.withLock { $0 }?.saying ?? "" }

    private static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
