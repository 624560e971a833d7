import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// One run of `keel test-agent`: sets itself up (signals, session, pid file, heartbeats,
/// memory, descendants, HTTP), then plays its timeline and waits for SIGINT or SIGTERM, which
/// end it with status 0. Every step is a line on stdout.
struct TestAgent: Sendable {
    /// The name that starts its output lines.
    var name = "test-agent"
    /// The options it was given, for its first line.
    var arguments: [String] = []
    /// Where to write its pid.
    var pidFile: String?
    /// Milliseconds after start to send `READY=1`.
    var readyAfter: Int?
    /// The `STATUS=` text: sent with `READY=1`, or alone at start without `readyAfter`.
    var status: String?
    /// Whether to send `WATCHDOG=1` every `$WATCHDOG_USEC / 2`.
    var heartbeat = false
    /// Milliseconds after start to stop the heartbeats.
    var skipHeartbeatsAfter: Int?
    /// Milliseconds after start to end.
    var exitAfter: Int?
    /// The exit status then.
    var exitCode: Int32 = 0
    /// Whether to end by SIGSEGV instead.
    var crash = false
    /// Whether to ignore SIGTERM.
    var ignoreTerm = false
    /// Whether to start a new session first.
    var newSession = false
    /// Grandchildren to start, and whether they start new sessions.
    var grandchildren = 0
    var grandchildrenInNewSessions = false
    /// Where to write the descendants' pids.
    var childrenFile: String?
    /// MiB to allocate and touch.
    var eatMemory = 0
    /// Children to try to start.
    var forkBomb = 0
    /// Where to serve HTTP.
    var http: TestAgentHTTPAddress?
    /// Where to write the HTTP port.
    var portFile: String?
    /// Milliseconds after start to turn unhealthy.
    var unhealthyAfter: Int?
    /// A file that makes `/health` fail while it says `fail`.
    var healthFile: String?

    /// Runs the agent, which started at `startedAt` (`MonotonicClock`); returns only by exiting.
    ///
    /// - Throws: `CLIError` when a step of the set-up fails (the pid file, a fork, the
    ///   listening socket, a heartbeat without a watchdog).
    func run(startedAt: UInt64) throws(CLIError) -> Never {
        let output = TestAgentOutput(name: name)
        // Before any thread exists, so every thread inherits the mask and only `wait` takes them.
        if ignoreTerm { SignalDisposition.ignore(SIGTERM) }
        let stopSignals = ignoreTerm ? [SIGINT] : [SIGINT, SIGTERM]
        SignalMask.block(stopSignals)

        output.line("started" + (arguments.isEmpty ? "" : " with " + arguments.joined(separator: " ")))
        if ignoreTerm { output.line("ignoring SIGTERM") }
        if newSession {
            do {
                output.line("leads new session \(try ProcessSession.startNew())")
            } catch {
                throw CLIError("cannot start a new session: \(error.reason)")
            }
        }
        if let pidFile { try write("\(ProcessTree.ownPID)\n", to: pidFile) }
        let notifier = TestAgentNotifier.fromEnvironment()
        if heartbeat {
            try TestAgentHeartbeat.fromEnvironment(
                notifier: notifier, stopAt: skipHeartbeatsAfter.map { moment(startedAt, $0) }, output: output
            ).start()
        }
        if let status, readyAfter == nil { sendStatus(status, notifier: notifier, output: output) }
        let memory = TestAgentMemory.eat(mebibytes: eatMemory, output: output)
        try startDescendants(output: output)
        if let http {
            let health = TestAgentHealth(
                startedAt: startedAt, unhealthyAt: unhealthyAfter.map { moment(startedAt, $0) }, healthFile: healthFile)
            let port = try TestAgentHTTPServer(address: http, health: health, name: name, output: output).start()
            if let portFile { try write("\(port)\n", to: portFile) }
            output.line("listening on http://\(http.host):\(port) (GET /health, GET /)")
        }
        TestAgentTimeline(
            startedAt: startedAt, events: events(startedAt: startedAt), status: status, notifier: notifier,
            output: output
        ).start()
        let signal = withExtendedLifetime(memory) { SignalMask.wait(for: stopSignals) }
        output.line("\(signal == SIGINT ? "SIGINT" : "SIGTERM") received; exiting with status 0")
        ProcessEnd.exitNow(0)
    }

    /// The timeline's events.
    private func events(startedAt: UInt64) -> [(at: UInt64, event: TestAgentTimeline.Event)] {
        var events: [(at: UInt64, event: TestAgentTimeline.Event)] = []
        if let readyAfter { events.append((moment(startedAt, readyAfter), .ready)) }
        if let unhealthyAfter, http != nil { events.append((moment(startedAt, unhealthyAfter), .unhealthy)) }
        if crash {
            events.append((moment(startedAt, exitAfter ?? 0), .crash))
        } else if let exitAfter {
            events.append((moment(startedAt, exitAfter), .exit(exitCode)))
        }
        return events
    }

    /// Starts the grandchildren and the fork bomb, records their pids, then reports them (so
    /// the pids file is there once the report is).
    private func startDescendants(output: TestAgentOutput) throws(CLIError) {
        guard grandchildren > 0 || forkBomb > 0 else { return }
        let descendants = TestAgentDescendants(name: name)
        var pids: [Int32] = []
        var reports: [String] = []
        if grandchildren > 0 {
            let started = try descendants.forkGrandchildren(grandchildren, newSession: grandchildrenInNewSessions)
            pids += started
            let how = grandchildrenInNewSessions ? "in new sessions, " : ""
            reports.append(
                "forked \(grandchildren) grandchildren (\(how)ignoring SIGTERM): "
                    + started.map(String.init).joined(separator: " "))
        }
        if forkBomb > 0 {
            let bomb = descendants.forkBomb(forkBomb)
            pids += bomb.pids
            reports.append(bomb.report)
        }
        if let childrenFile { try write(pids.map { "\($0)\n" }.joined(), to: childrenFile) }
        for report in reports { output.line(report) }
    }

    private func sendStatus(_ status: String, notifier: TestAgentNotifier, output: TestAgentOutput) {
        do throws(CLIError) {
            try notifier.send("STATUS=\(status)")
            output.line("sent STATUS=\(status)")
        } catch {
            output.line("STATUS=\(status) not sent: \(error.message)")
        }
    }

    /// The `MonotonicClock` moment `milliseconds` after `start`.
    private func moment(_ start: UInt64, _ milliseconds: Int) -> UInt64 {
        start + UInt64(milliseconds) * 1_000_000
    }

    /// Replaces `path` with `text` (atomically: a reader never sees half of it).
    private func write(_ text: String, to path: String) throws(CLIError) {
        do {
            try FileSystem.replaceFile(atPath: path, with: Array(text.utf8))
        } catch {
            throw CLIError("cannot write \(path): \(error.reason)")
        }
    }
}
