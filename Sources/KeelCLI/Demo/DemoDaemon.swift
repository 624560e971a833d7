import KeelLinux
import Synchronization

/// The demo's `keel daemon --root ROOT`: started as a child, known to run once it says so on
/// stderr, stopped with SIGTERM (it stops its agents, then exits). Its stderr is read until it
/// ends, so the daemon never blocks on a full pipe; the last lines are kept for error messages.
final class DemoDaemon: Sendable {
    private let child: DemoChild
    private let interruption: DemoInterruption
    private let lines: AsyncStream<String>
    private let recent = Mutex<[String]>([])
    private let ending = Mutex<(termination: Termination?, killed: Bool)?>(nil)

    /// The line `keel daemon` writes on stderr once its agents are started.
    static let runningLine = "keel: daemon running for "
    /// How many of its last stderr lines are kept.
    private static let keptLines = 20

    private init(child: DemoChild, interruption: DemoInterruption, lines: AsyncStream<String>) {
        self.child = child
        self.interruption = interruption
        self.lines = lines
    }

    /// Starts the daemon for `root`.
    static func start(binary: String, root: String, directory: String, interruption: DemoInterruption) throws
        -> DemoDaemon
    {
        let child = try DemoChild.start(
            binary: binary, arguments: ["daemon", "--root", root], directory: directory, capture: .errorsOnly)
        interruption.watch(child)
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let daemon = DemoDaemon(child: child, interruption: interruption, lines: lines)
        DetachedThread.start {
            child.readLines { line in
                daemon.recent.withLock { recent in
                    recent.append(line)
                    if recent.count > keptLines { recent.removeFirst() }
                }
                continuation.yield(line)
            }
            continuation.finish()
        }
        return daemon
    }

    /// Waits for the daemon's "running" line and returns it.
    ///
    /// - Throws: `CLIError` when the daemon ends first (quoting what it said) or says nothing
    ///   within `timeout` on `clock`.
    func waitUntilRunning(timeout: Duration, clock: any Clock<Duration>) async throws -> String {
        let lines = lines
        return try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                for await line in lines where line.hasPrefix(Self.runningLine) { return line }
                throw CLIError("keel daemon ended before it was running" + self.saying)
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                throw CLIError(
                    "keel daemon did not say it was running within \(DemoOutput.seconds(timeout))" + self.saying)
            }
            defer { group.cancelAll() }
            guard let line = try await group.next() else { throw CancellationError() }
            return line
        }
    }

    /// `: ` and the daemon's last stderr lines, or nothing when it said nothing.
    var saying: String {
        let recent = recent.withLock { $0 }.filter { !$0.hasPrefix(Self.runningLine) }
        return recent.isEmpty ? "" : ": " + recent.suffix(3).joined(separator: " / ")
    }

    /// Stops the daemon: SIGTERM, then SIGKILL if it has not ended after `timeout` on `clock`;
    /// waits for it (blocking; call from a thread of the demo's own, not a task). Stopping again
    /// returns the first stop's answer.
    ///
    /// - Returns: how it ended, and whether it had to be killed.
    func stop(timeout: Duration, clock: any Clock<Duration>) -> (termination: Termination?, killed: Bool) {
        if let ended = ending.withLock({ $0 }) { return ended }
        let child = child
        child.send(DemoChild.terminate)
        let timer = Task { () -> Bool in
            do { try await clock.sleep(for: timeout) } catch { return false }
            child.send(DemoChild.kill)
            return true
        }
        let termination = child.wait()
        interruption.forget(child)
        timer.cancel()
        let killed = (try? AsyncBridge.wait { await timer.value }) ?? false
        ending.withLock { $0 = (termination, killed) }
        return (termination, killed)
    }
}
