import KeelLinux

/// The watchdog pings of systemd's convention: `WATCHDOG=1` every `$WATCHDOG_USEC / 2`, from
/// a thread of its own, until an optional moment after which the agent keeps running silent.
struct TestAgentHeartbeat: Sendable {
    /// Nanoseconds between pings.
    let interval: UInt64
    /// The `MonotonicClock` moment the pings stop (`--skip-heartbeats-after`), if any.
    let stopAt: UInt64?
    /// Where the pings go.
    let notifier: TestAgentNotifier
    /// Where each ping is reported.
    let output: TestAgentOutput

    /// The heartbeat this process's environment asks for: `$WATCHDOG_USEC` set to a positive
    /// number, `$WATCHDOG_PID` unset or this process, and a `$NOTIFY_SOCKET` to ping.
    ///
    /// - Throws: `CLIError` saying which of those is missing.
    static func fromEnvironment(notifier: TestAgentNotifier, stopAt: UInt64?, output: TestAgentOutput)
        throws(CLIError) -> TestAgentHeartbeat
    {
        guard let text = TestAgentEnvironment.value("WATCHDOG_USEC") else {
            throw CLIError("--heartbeat needs WATCHDOG_USEC (the supervisor's watchdog interval) in the environment")
        }
        guard let microseconds = UInt64(text), microseconds > 0 else {
            throw CLIError("WATCHDOG_USEC=\(text) is not a positive number of microseconds")
        }
        if let pid = TestAgentEnvironment.value("WATCHDOG_PID"), pid != String(ProcessTree.ownPID) {
            throw CLIError("WATCHDOG_PID=\(pid) names another process, not this one (\(ProcessTree.ownPID))")
        }
        guard notifier.socket != nil else { throw CLIError("--heartbeat needs NOTIFY_SOCKET in the environment") }
        return TestAgentHeartbeat(interval: microseconds * 500, stopAt: stopAt, notifier: notifier, output: output)
    }

    /// Starts pinging, the first ping at once, on a thread of its own.
    func start() {
        DetachedThread.start(stackSize: 256 << 10) { run() }
    }

    private func run() {
        var sent = 0
        var next = MonotonicClock.now()
        while true {
            if let stopAt, MonotonicClock.now() >= stopAt {
                output.line("heartbeats stopped after \(sent) (--skip-heartbeats-after); still running")
                return
            }
            do throws(CLIError) {
                try notifier.send("WATCHDOG=1")
                sent += 1
                output.line("heartbeat \(sent) (WATCHDOG=1, every \(interval / 1_000_000) ms)")
            } catch {
                output.line("heartbeat not sent: \(error.message)")
            }
            next += interval
            MonotonicClock.sleep(until: stopAt.map { min($0, next) } ?? next)
        }
    }
}
