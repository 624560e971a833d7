import KeelLinux
import KeelSandbox
import Synchronization
import SystemPackage

/// Watches a running builder: copies its output to the log, enforces the time limits and reaps
/// it. A builder over a limit is killed with everything it started (its PID namespace).
///
/// The limits are kept by a timer that sleeps on `clock` and kills the builder when one passes;
/// the thread that follows the builder only blocks on its output and its pidfd (KeelLinux's
/// `Polling`), and wakes when the killed builder's output ends. Tests pass a manual clock, so
/// no test waits for a limit in real time.
struct BuilderMonitor {
    /// How a builder ended.
    enum Ending: Sendable, Equatable {
        /// It exited or was killed by a signal on its own.
        case terminated(Termination)
        /// It ran longer than the timeout.
        case timedOut
        /// It printed nothing for the maximum silent time.
        case silent
    }

    /// The longest the builder may run.
    let timeout: Duration?
    /// The longest the builder may print nothing.
    let maxSilentTime: Duration?
    /// The clock the limits are measured on.
    let clock: any Clock<Duration>

    /// A monitor enforcing `timeout` and `maxSilentTime` (`nil`: no limit) on `clock`.
    init(timeout: Duration?, maxSilentTime: Duration?, clock: any Clock<Duration> = ContinuousClock()) {
        self.timeout = timeout
        self.maxSilentTime = maxSilentTime
        self.clock = clock
    }

    /// Follows `process`, whose output arrives on `output` (closed here), until it ends.
    func follow(_ process: SandboxedProcess, output: Int32, log: BuildLogRecorder) throws(SystemError) -> Ending {
        try follow(process, output: FileDescriptor(rawValue: output), log: log, clock: clock)
    }

    private func follow<C: Clock<Duration>>(
        _ process: SandboxedProcess, output: FileDescriptor, log: BuildLogRecorder, clock: C
    ) throws(SystemError) -> Ending {
        defer { FileSystem.close(output) }
        let limits = Limits<C>(timeout: timeout, maxSilentTime: maxSilentTime, start: clock.now)
        let timer = limits.isEmpty ? nil : Task { await limits.enforce(on: clock, killing: process) }
        defer { timer?.cancel() }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var outputOpen = true
        var exited = false
        while outputOpen || !exited {
            var descriptors: [FileDescriptor] = []
            if outputOpen { descriptors.append(output) }
            if !exited, let pidfd = process.pidfd { descriptors.append(pidfd) }
            // Without a pidfd the end of the output is the best sign of the end; reap below.
            if !outputOpen && process.pidfd == nil { break }
            let ready = try Polling.waitForInput(descriptors)
            for (descriptor, isReady) in zip(descriptors, ready) where isReady {
                guard descriptor == output else {
                    exited = true
                    continue
                }
                let count = try SystemCall.read(output.rawValue, into: buffer)
                if count == 0 {
                    outputOpen = false
                } else {
                    limits.recordOutput(at: clock.now)
                    log.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                }
            }
        }
        let verdict = limits.finish()
        let termination = try process.wait()
        return verdict ?? .terminated(termination)
    }
}

/// The time limits of one builder, shared by the thread that follows it (which records output)
/// and the timer that enforces them.
private final class Limits<C: Clock<Duration>>: Sendable {
    private struct State {
        var lastOutput: C.Instant
        var verdict: BuilderMonitor.Ending?
        var finished = false
    }

    private let timeout: Duration?
    private let maxSilentTime: Duration?
    private let start: C.Instant
    private let state: Mutex<State>

    init(timeout: Duration?, maxSilentTime: Duration?, start: C.Instant) {
        self.timeout = timeout
        self.maxSilentTime = maxSilentTime
        self.start = start
        state = Mutex(State(lastOutput: start))
    }

    /// Whether there is no limit to enforce.
    var isEmpty: Bool { timeout == nil && maxSilentTime == nil }

    /// Notes that the builder printed something at `now`.
    func recordOutput(at now: C.Instant) {
        state.withLock { $0.lastOutput = now }
    }

    /// Stops the limits (the builder has ended) and returns the verdict, if one was reached.
    func finish() -> BuilderMonitor.Ending? {
        state.withLock { state in
            state.finished = true
            return state.verdict
        }
    }

    /// Sleeps on `clock` until a limit passes, then records the verdict and kills `process`;
    /// returns early when cancelled or when the builder ended first.
    func enforce(on clock: C, killing process: SandboxedProcess) async {
        while let deadline = nextDeadline() {
            do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
            if judge(at: clock.now) {
                try? process.kill()
                return
            }
        }
    }

    /// The instant the next limit passes, unless the builder has ended or was judged already.
    private func nextDeadline() -> C.Instant? {
        state.withLock { state in
            guard !state.finished, state.verdict == nil else { return nil }
            let deadlines = [
                timeout.map { start.advanced(by: $0) }, maxSilentTime.map { state.lastOutput.advanced(by: $0) },
            ]
            return deadlines.compactMap { $0 }.min()
        }
    }

    /// Records a verdict if a limit has passed at `now` (the silence limit reported first) and
    /// the builder has not ended; returns whether it did.
    private func judge(at now: C.Instant) -> Bool {
        state.withLock { state in
            guard !state.finished else { return false }
            if let maxSilentTime, state.lastOutput.duration(to: now) >= maxSilentTime {
                state.verdict = .silent
            } else if let timeout, start.duration(to: now) >= timeout {
                state.verdict = .timedOut
            }
            return state.verdict != nil
        }
    }
}
