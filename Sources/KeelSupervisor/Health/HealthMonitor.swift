import KeelSystem
import Synchronization

/// Runs a health check every `interval` while started, counts failures in a row, and reports
/// each result and each change of status (healthy after a pass; unhealthy once
/// `failureThreshold` checks failed in a row) to a handler.
///
/// The first check runs `initialDelay` after `start(initialDelay:)`; each next one `interval`
/// after the previous one ended, so checks never overlap. Time is read from the injected clock;
/// while stopped, nothing is scheduled and nothing wakes up. Events are delivered in order, one
/// check's at a time, from a task of the monitor's own; the handler may call `stop()` or
/// `start()`. After `stop()` no check starts and no event is delivered of a check that ends
/// later (a check in flight is cancelled: an exec check's program is killed; an HTTP request
/// is cancelled; a TCP connect ends within its timeout and is ignored). Stop a monitor before
/// letting go of it.
public final class HealthMonitor: Sendable {
    /// The time from the end of one check to the start of the next.
    public let interval: Duration
    /// Failures in a row that make the status unhealthy (at least 1).
    public let failureThreshold: Int

    private struct State {
        /// Bumped by each start and stop: a check of an older run is ignored.
        var run = 0
        var task: Task<Void, Never>?
        var status = HealthStatus.unknown
        var consecutiveFailures = 0
    }

    private let state = Mutex(State())
    private let clock: any Clock<Duration>
    private let check: @Sendable () async -> HealthVerdict
    private let handler: @Sendable (HealthEvent) -> Void

    /// A stopped monitor of `check`.
    ///
    /// - Parameters:
    ///   - interval: the time from the end of one check to the start of the next.
    ///   - failureThreshold: failures in a row that make the status unhealthy (below 1 counts
    ///     as 1).
    ///   - clock: what the intervals are timed on (`ContinuousClock()` in the daemon).
    ///   - check: one check, typically a `HealthProbe`'s `run()`; cancelled by `stop()`.
    ///   - handler: receives every event.
    public init(
        interval: Duration, failureThreshold: Int, clock: any Clock<Duration>,
        check: @escaping @Sendable () async -> HealthVerdict, handler: @escaping @Sendable (HealthEvent) -> Void
    ) {
        self.interval = interval
        self.failureThreshold = max(1, failureThreshold)
        self.clock = clock
        self.check = check
        self.handler = handler
    }

    /// A stopped monitor of `probe`, every `interval`.
    public convenience init(
        probe: HealthProbe, interval: Duration, failureThreshold: Int, clock: any Clock<Duration>,
        handler: @escaping @Sendable (HealthEvent) -> Void
    ) {
        self.init(
            interval: interval, failureThreshold: failureThreshold, clock: clock, check: { await probe.run() },
            handler: handler)
    }

    /// A stopped monitor of `probe` at the interval and failure threshold an agent's `health`
    /// declares (`probe` is typically made from the same `health`).
    ///
    /// - Throws: `SupervisorError` when its interval is not positive.
    public convenience init(
        _ health: SystemManifest.Health, probe: HealthProbe, clock: any Clock<Duration>,
        handler: @escaping @Sendable (HealthEvent) -> Void
    ) throws(SupervisorError) {
        guard health.intervalMs > 0 else {
            throw SupervisorError("health check: interval must be positive (found \(health.intervalMs) ms)")
        }
        self.init(
            probe: probe, interval: .milliseconds(health.intervalMs), failureThreshold: health.failureThreshold,
            clock: clock, handler: handler)
    }

    /// The status now.
    public var status: HealthStatus { state.withLock { $0.status } }

    /// Failures in a row so far (0 after a pass).
    public var consecutiveFailures: Int { state.withLock { $0.consecutiveFailures } }

    /// Whether it is started.
    public var isRunning: Bool { state.withLock { $0.task != nil } }

    /// Starts checking from an unknown status with no failure counted; the first check runs
    /// `initialDelay` from now. Does nothing when already started.
    public func start(initialDelay: Duration = .zero) {
        state.withLock { state in
            guard state.task == nil else { return }
            state.run += 1
            state.status = .unknown
            state.consecutiveFailures = 0
            let run = state.run
            state.task = Task { await self.checkRepeatedly(run: run, initialDelay: initialDelay) }
        }
    }

    /// Stops checking: cancels the wait for the next check or the check in flight. Does nothing
    /// when already stopped.
    public func stop() {
        let task = state.withLock { state in
            defer {
                state.task = nil
                state.run += 1
            }
            return state.task
        }
        task?.cancel()
    }

    private func checkRepeatedly(run: Int, initialDelay: Duration) async {
        if initialDelay > .zero {
            do { try await clock.sleep(for: initialDelay) } catch { return }
        }
        while true {
            let verdict = await check()
            guard let events = record(verdict, run: run) else { return }
            // The handler may stop the monitor: then the rest of the check's events are dropped.
            for event in events {
                guard state.withLock({ $0.run == run }) else { return }
                handler(event)
            }
            do { try await clock.sleep(for: interval) } catch { return }
        }
    }

    /// Counts `verdict`, unless run `run` was stopped; the events it makes.
    private func record(_ verdict: HealthVerdict, run: Int) -> [HealthEvent]? {
        state.withLock { state in
            guard state.run == run, state.task != nil, !Task.isCancelled else { return nil }
            var events: [HealthEvent] = []
            switch verdict {
            case .passed:
                state.consecutiveFailures = 0
                events.append(.checked(verdict, consecutiveFailures: 0))
                if state.status != .healthy {
                    state.status = .healthy
                    events.append(.becameHealthy)
                }
            case .failed(let reason):
                state.consecutiveFailures += 1
                events.append(.checked(verdict, consecutiveFailures: state.consecutiveFailures))
                if state.status != .unhealthy && state.consecutiveFailures >= failureThreshold {
                    state.status = .unhealthy
                    events.append(.becameUnhealthy(consecutiveFailures: state.consecutiveFailures, reason: reason))
                }
            }
            return events
        }
    }
}
