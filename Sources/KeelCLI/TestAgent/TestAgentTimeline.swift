import KeelLinux

/// The moments of an agent's life after its start, each a `MonotonicClock` time: readiness,
/// turning unhealthy, and the end; played in order on a thread of their own.
struct TestAgentTimeline: Sendable {
    /// Something that happens at a moment.
    enum Event: Sendable {
        /// Send `READY=1` (with `STATUS=` when there is a status).
        case ready
        /// Say the agent is unhealthy from now on (`/health` says so by itself).
        case unhealthy
        /// Exit with this status.
        case exit(Int32)
        /// Die by SIGSEGV.
        case crash
    }

    /// When the agent started.
    let startedAt: UInt64
    /// The events with their moments, in the order they happen (ties in the order given).
    let events: [(at: UInt64, event: Event)]
    /// The `--status` text sent with `READY=1`.
    let status: String?
    /// Where `READY=1` goes.
    let notifier: TestAgentNotifier
    /// Where each event is reported.
    let output: TestAgentOutput

    /// A timeline of `events`, sorted by moment.
    init(
        startedAt: UInt64, events: [(at: UInt64, event: Event)], status: String?, notifier: TestAgentNotifier,
        output: TestAgentOutput
    ) {
        self.startedAt = startedAt
        self.events = events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map {
            $0.element
        }
        self.status = status
        self.notifier = notifier
        self.output = output
    }

    /// Plays the events on a thread of its own (nothing when there are none).
    func start() {
        guard !events.isEmpty else { return }
        DetachedThread.start(stackSize: 256 << 10) { run() }
    }

    private func run() {
        for (moment, event) in events {
            MonotonicClock.sleep(until: moment)
            let after = "\((moment - startedAt) / 1_000_000) ms"
            switch event {
            case .ready:
                let message = "READY=1" + (status.map { "\nSTATUS=\($0)" } ?? "")
                guard notifier.socket != nil else {
                    output.line("ready after \(after) (no NOTIFY_SOCKET: nobody to tell)")
                    continue
                }
                do throws(CLIError) {
                    try notifier.send(message)
                    output.line("ready after \(after): sent " + message.split(separator: "\n").joined(separator: ", "))
                } catch {
                    output.line("ready after \(after), but READY=1 was not sent: \(error.message)")
                }
            case .unhealthy:
                output.line("unhealthy from now on (--unhealthy-after \(after))")
            case .exit(let status):
                output.line("exiting with status \(status) (--exit-after \(after))")
                ProcessEnd.exitNow(status)
            case .crash:
                output.line("crashing with SIGSEGV (--crash after \(after))")
                ProcessEnd.crash()
            }
        }
    }
}
