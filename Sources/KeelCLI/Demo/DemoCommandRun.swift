import KeelLinux

/// Runs a short keel command (`keel switch`, `keel ledger verify`) as a child of the demo to
/// its end, collecting its output.
struct DemoCommandRun: Sendable {
    /// The keel binary.
    let binary: String
    /// Where the children run.
    let directory: String
    /// Sends them SIGTERM on Ctrl-C.
    let interruption: DemoInterruption
    /// How long one may run before it is killed.
    let timeout: Duration
    /// The clock of that timeout.
    let clock: any Clock<Duration>

    /// The command's termination and its output (stdout and stderr interleaved).
    ///
    /// - Throws: `CLIError` when it cannot be started or has to be killed after `timeout`.
    func run(_ arguments: [String]) async throws -> (Termination, String) {
        let child = try DemoChild.start(
            binary: binary, arguments: arguments, directory: directory, capture: .outputAndErrors)
        interruption.watch(child)
        let clock = clock
        let timeout = timeout
        let timer = Task { () -> Bool in
            do { try await clock.sleep(for: timeout) } catch { return false }
            child.send(DemoChild.kill)
            return true
        }
        let (termination, output) = await withCheckedContinuation { continuation in
            DetachedThread.start {
                var lines: [String] = []
                child.readLines { lines.append($0) }
                let termination = child.wait()
                continuation.resume(returning: (termination, lines.map { $0 + "\n" }.joined()))
            }
        }
        interruption.forget(child)
        timer.cancel()
        let timedOut = await timer.value
        guard let termination else { throw CLIError("cannot wait for \(child.title)") }
        if timedOut { throw CLIError("\(child.title) did not finish within \(DemoOutput.seconds(timeout)); killed it") }
        return (termination, output)
    }
}
