import ArgumentParser
import KeelLinux

/// `keel test-agent` (hidden): an agent whose behaviour the options choose, for the
/// supervisor's tests, the benchmark (`stamp`) and `keel demo`'s sample agents. It is keel
/// itself, so it ships in the one static binary and runs anywhere keel does.
struct TestAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-agent",
        abstract: "An agent that behaves as its options say: for tests, benchmarks and demos.",
        usage: """
            keel test-agent [<options>]
              keel test-agent stamp <file>
            """,
        discussion: """
            Durations are milliseconds after the agent starts. Every step is one line on \
            stdout, `NAME[PID]: ...`. SIGINT and SIGTERM (unless --ignore-term) end the agent \
            with status 0. With none of --ready-after, --exit-after, --crash it runs until \
            stopped. Set-up failures (a file that cannot be written, --heartbeat without \
            WATCHDOG_USEC or NOTIFY_SOCKET, an HTTP port in use) exit 1 with one line on stderr.

            Readiness and watchdog follow systemd's notify protocol: datagrams to \
            $NOTIFY_SOCKET (a path, or @name in the abstract namespace); --heartbeat sends \
            WATCHDOG=1 every $WATCHDOG_USEC/2 (the first at start) and refuses a $WATCHDOG_PID \
            that is not its own.

            Set-up order: signals, the first line, --setsid, --pid-file, heartbeats, a lone \
            STATUS=, --eat-memory, --fork, --fork-bomb, --children-file, --http (and \
            --port-file); then the timeline (--ready-after, --unhealthy-after, --exit-after or \
            --crash) plays, READY=1 never before the HTTP server listens.
            """,
        shouldDisplay: false,
        subcommands: [TestAgentStampCommand.self]
    )

    @Option(help: "The name that starts every output line.")
    var name = "test-agent"

    @Option(help: ArgumentHelp("Write this process's pid (and a newline) to FILE.", valueName: "file"))
    var pidFile: String?

    @Option(help: ArgumentHelp("Send READY=1 to $NOTIFY_SOCKET after MS.", valueName: "ms"))
    var readyAfter: Int?

    @Option(help: ArgumentHelp("Send STATUS=TEXT: with READY=1, or at start without --ready-after.", valueName: "text"))
    var status: String?

    @Flag(help: "Send WATCHDOG=1 every $WATCHDOG_USEC/2, the first at start.")
    var heartbeat = false

    @Option(help: ArgumentHelp("Stop the heartbeats after MS but keep running.", valueName: "ms"))
    var skipHeartbeatsAfter: Int?

    @Option(help: ArgumentHelp("Exit after MS (0: once set up).", valueName: "ms"))
    var exitAfter: Int?

    @Option(help: ArgumentHelp("The status --exit-after exits with (0-255, default 0).", valueName: "n"))
    var exitCode: Int32?

    @Flag(help: "Die by SIGSEGV (no core dump) at --exit-after's moment, or once set up.")
    var crash = false

    @Flag(help: "Never ready, never exit (until a signal ends it): the default, made explicit.")
    var hang = false

    @Flag(help: "Ignore SIGTERM (SIGINT still ends the agent).")
    var ignoreTerm = false

    @Flag(help: "Start a new session and process group first (setsid).")
    var setsid = false

    @Option(help: ArgumentHelp("Fork N grandchildren that ignore SIGTERM and never exit.", valueName: "n"))
    var fork: Int?

    @Flag(help: "Have --fork's grandchildren start new sessions, escaping the agent's process group.")
    var forkSetsid = false

    @Option(help: ArgumentHelp("Write the pids of --fork's and --fork-bomb's children to FILE.", valueName: "file"))
    var childrenFile: String?

    @Option(help: ArgumentHelp("Allocate and touch MIB mebibytes, then hold them.", valueName: "mib"))
    var eatMemory: Int?

    @Option(
        help: ArgumentHelp(
            "Try to fork N children that never exit; report how many started (stops at the first failure).",
            valueName: "n"))
    var forkBomb: Int?

    @Option(
        help: ArgumentHelp(
            "Serve HTTP on 127.0.0.1:PORT (or HOST:PORT; port 0: any): GET /health, GET /.", valueName: "[host:]port"))
    var http: TestAgentHTTPAddress?

    @Option(help: ArgumentHelp("Write the HTTP port (and a newline) to FILE once listening.", valueName: "file"))
    var portFile: String?

    @Option(help: ArgumentHelp("/health answers 503 from MS on.", valueName: "ms"))
    var unhealthyAfter: Int?

    @Option(help: ArgumentHelp("/health answers 503 while FILE says `fail`.", valueName: "file"))
    var healthFile: String?

    func validate() throws {
        for (flag, value) in [
            ("--ready-after", readyAfter), ("--skip-heartbeats-after", skipHeartbeatsAfter),
            ("--exit-after", exitAfter), ("--unhealthy-after", unhealthyAfter),
        ] {
            if let value, value < 0 { throw ValidationError("\(flag) needs 0 or more milliseconds, not \(value)") }
        }
        for (flag, value) in [("--fork", fork), ("--fork-bomb", forkBomb), ("--eat-memory", eatMemory)] {
            if let value, value < 1 { throw ValidationError("\(flag) needs 1 or more, not \(value)") }
        }
        if let exitCode, !(0...255).contains(exitCode) {
            throw ValidationError("--exit-code must be 0 to 255, not \(exitCode)")
        }
        let requirements: [(String, Bool, String, Bool)] = [
            ("--exit-code", exitCode != nil, "--exit-after", exitAfter != nil),
            ("--skip-heartbeats-after", skipHeartbeatsAfter != nil, "--heartbeat", heartbeat),
            ("--fork-setsid", forkSetsid, "--fork", fork != nil),
            ("--children-file", childrenFile != nil, "--fork or --fork-bomb", fork != nil || forkBomb != nil),
            ("--port-file", portFile != nil, "--http", http != nil),
            ("--unhealthy-after", unhealthyAfter != nil, "--http", http != nil),
            ("--health-file", healthFile != nil, "--http", http != nil),
        ]
        for (flag, given, needed, present) in requirements where given && !present {
            throw ValidationError("\(flag) needs \(needed)")
        }
        if crash, exitCode != nil { throw ValidationError("--crash and --exit-code exclude each other") }
        if hang, readyAfter != nil || exitAfter != nil || crash {
            throw ValidationError("--hang excludes --ready-after, --exit-after and --crash")
        }
    }

    func run() throws {
        let startedAt = MonotonicClock.now()
        let agent = TestAgent(
            name: name, arguments: Array(CommandLine.arguments.drop { $0 != "test-agent" }.dropFirst()),
            pidFile: pidFile, readyAfter: readyAfter, status: status, heartbeat: heartbeat,
            skipHeartbeatsAfter: skipHeartbeatsAfter, exitAfter: exitAfter, exitCode: exitCode ?? 0, crash: crash,
            ignoreTerm: ignoreTerm, newSession: setsid, grandchildren: fork ?? 0,
            grandchildrenInNewSessions: forkSetsid,
            childrenFile: childrenFile, eatMemory: eatMemory ?? 0, forkBomb: forkBomb ?? 0, http: http,
            portFile: portFile, unhealthyAfter: unhealthyAfter, healthFile: healthFile)
        try agent.run(startedAt: startedAt)
    }
}
