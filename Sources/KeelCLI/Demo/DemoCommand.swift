import ArgumentParser
import KeelLinux

/// `keel demo`: Keel's main job on its embedded defaults, in a temporary root.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Watch a daemon run two agents, and SafeSwitch roll a broken deploy back by itself.",
        discussion: """
            In a fresh Keel root under $TMPDIR (or /tmp): starts `keel daemon`, switches to a \
            generation with two sample agents (web, an HTTP agent with a health check; worker, \
            which speaks systemd's notify protocol and sends heartbeats), shows `keel status`, \
            then switches to a generation whose web exits at once and narrates SafeSwitch rolling \
            it back, with timings; then `keel ledger verify` and the rollback's ledger entries. \
            The agents are played by a copy of this keel binary. Finishes by itself in well under \
            a minute, then stops the daemon (which stops its agents) and removes the directory.
            Ctrl-C stops the daemon, removes the directory and exits 130.
            Exit status: 0 when every step worked; 1 when one failed (one line on stderr says which).
            """
    )

    @Flag(help: "Keep the demo's directory (the root and the config) and print its path.")
    var keep = false

    func run() throws {
        let interruption = DemoInterruption.install()
        let output = DemoOutput()
        let binary = try DemoWorkspace.runningBinary()
        let workspace = try DemoWorkspace.create()
        let session = DemoSession(workspace: workspace, binary: binary, interruption: interruption, output: output)
        var failure: String?
        do {
            try AsyncBridge.wait { try await session.play() }
        } catch let error as CLIError {
            failure = error.message
        } catch is DemoInterrupted {
            failure = nil
        } catch {
            failure = String(describing: error)
        }
        let interrupted = interruption.isInterrupted
        if interrupted {
            StandardErrorLine.write("keel: demo interrupted; stopping its daemon")
        } else if let failure {
            StandardErrorLine.write("keel: demo failed: \(failure)" + session.daemonSaying)
        }
        var problems: [String] = []
        output.heading("Clean up")
        if let problem = session.stopDaemon() {
            problems.append(problem)
        } else {
            output.line("Stopped the daemon (it stopped its agents first).")
        }
        if keep {
            output.line("Kept \(workspace.directory): its root is \(workspace.root).")
        } else {
            do {
                try workspace.remove()
                output.line("Removed \(workspace.directory).")
            } catch let error as CLIError {
                problems.append(error.message)
            }
        }
        for problem in problems { StandardErrorLine.write("keel: \(problem)") }
        if interrupted { throw SilentExit(.interrupted) }
        if failure != nil || !problems.isEmpty { throw SilentExit(.failure) }
    }
}
