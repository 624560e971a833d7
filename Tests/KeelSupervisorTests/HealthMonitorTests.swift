import KeelSupervisor
import KeelTesting
import Synchronization
import Testing

/// The monitor's rules on a manual clock, with scripted checks: no sleeping, no processes.
@Suite("HealthMonitor", .ownThreads)
struct HealthMonitorTests {
    let interval = Duration.seconds(10)

    /// Verdicts handed out in order, one per check (passes once they run out), counted.
    final class ScriptedCheck: Sendable {
        private let remaining: Mutex<[HealthVerdict]>
        private let made = Mutex(0)

        init(_ verdicts: [HealthVerdict]) { remaining = Mutex(verdicts) }

        /// Checks run so far.
        var checks: Int { made.withLock { $0 } }

        func run() -> HealthVerdict {
            made.withLock { $0 += 1 }
            return remaining.withLock { $0.isEmpty ? .passed : $0.removeFirst() }
        }
    }

    /// A monitor of a scripted check on a manual clock, whose events a test reads in order.
    struct Harness {
        let clock = ManualClock()
        let monitor: HealthMonitor
        let check: ScriptedCheck
        var events: AsyncStream<HealthEvent>.Iterator

        init(_ verdicts: [HealthVerdict], interval: Duration, threshold: Int) {
            let check = ScriptedCheck(verdicts)
            let (stream, continuation) = AsyncStream<HealthEvent>.makeStream()
            self.check = check
            monitor = HealthMonitor(
                interval: interval, failureThreshold: threshold, clock: clock, check: { check.run() },
                handler: { continuation.yield($0) })
            events = stream.makeAsyncIterator()
        }

        /// The next `count` events.
        mutating func next(_ count: Int) async -> [HealthEvent] {
            var got: [HealthEvent] = []
            for _ in 0..<count {
                guard let event = await events.next() else { break }
                got.append(event)
            }
            return got
        }

        /// Waits until the monitor waits for `deadline`, then moves the clock there.
        func advance(to deadline: Duration) async {
            #expect(await clock.waitForSleeper(until: .at(deadline)))
            clock.advance(by: deadline - clock.now.offset)
        }
    }

    @Test func thresholdDecidesUnhealthyAndOnePassHealthy() async throws {
        try await withHealthWatchdog {
            let failure = HealthVerdict.failed("HTTP 503")
            var harness = Harness(
                [failure, .passed, failure, failure, .failed("connection refused"), failure, .passed],
                interval: interval, threshold: 3)
            harness.monitor.start()
            // The first check at once: a failure below the threshold changes nothing.
            #expect(await harness.next(1) == [.checked(failure, consecutiveFailures: 1)])
            #expect(harness.monitor.status == .unknown)
            await harness.advance(to: interval)
            #expect(await harness.next(2) == [.checked(.passed, consecutiveFailures: 0), .becameHealthy])
            await harness.advance(to: interval * 2)
            #expect(await harness.next(1) == [.checked(failure, consecutiveFailures: 1)])
            await harness.advance(to: interval * 3)
            #expect(await harness.next(1) == [.checked(failure, consecutiveFailures: 2)])
            #expect(harness.monitor.status == .healthy)
            await harness.advance(to: interval * 4)
            #expect(
                await harness.next(2) == [
                    .checked(.failed("connection refused"), consecutiveFailures: 3),
                    .becameUnhealthy(consecutiveFailures: 3, reason: "connection refused"),
                ])
            #expect(harness.monitor.status == .unhealthy)
            #expect(harness.monitor.consecutiveFailures == 3)
            // Still failing: counted, no second change.
            await harness.advance(to: interval * 5)
            #expect(await harness.next(1) == [.checked(failure, consecutiveFailures: 4)])
            await harness.advance(to: interval * 6)
            #expect(await harness.next(2) == [.checked(.passed, consecutiveFailures: 0), .becameHealthy])
            harness.monitor.stop()
            #expect(harness.check.checks == 7)
        }
    }

    @Test func thresholdOfOneAndFailuresFromTheStart() async throws {
        try await withHealthWatchdog {
            var harness = Harness([.failed("exit 1")], interval: interval, threshold: 0)
            #expect(harness.monitor.failureThreshold == 1)
            harness.monitor.start()
            #expect(
                await harness.next(2) == [
                    .checked(.failed("exit 1"), consecutiveFailures: 1),
                    .becameUnhealthy(consecutiveFailures: 1, reason: "exit 1"),
                ])
            harness.monitor.stop()
        }
    }

    @Test func nextCheckWaitsAnIntervalAfterThePreviousEnded() async throws {
        try await withHealthWatchdog {
            var harness = Harness([], interval: interval, threshold: 3)
            harness.monitor.start(initialDelay: .seconds(3))
            #expect(await harness.clock.waitForSleeper(until: .at(.seconds(3))))
            #expect(harness.check.checks == 0)
            harness.clock.advance(by: .seconds(3))
            #expect(await harness.next(2) == [.checked(.passed, consecutiveFailures: 0), .becameHealthy])
            // One wait armed, for an interval after that check.
            #expect(await harness.clock.waitForSleeper(until: .at(.seconds(3) + interval)))
            #expect(harness.clock.sleepers == [.at(.seconds(3) + interval)])
            harness.clock.advance(by: interval - .seconds(1))
            #expect(harness.check.checks == 1)
            harness.clock.advance(by: .seconds(1))
            #expect(await harness.next(1) == [.checked(.passed, consecutiveFailures: 0)])
            harness.monitor.stop()
        }
    }

    @Test func stoppedMonitorArmsNothingAndChecksNoMore() async throws {
        try await withHealthWatchdog {
            var harness = Harness([.failed("down")], interval: interval, threshold: 1)
            harness.monitor.start()
            #expect(
                await harness.next(2) == [
                    .checked(.failed("down"), consecutiveFailures: 1),
                    .becameUnhealthy(consecutiveFailures: 1, reason: "down"),
                ])
            #expect(await harness.clock.waitForSleeper(until: .at(interval)))
            harness.monitor.stop()
            #expect(!harness.monitor.isRunning)
            // The cancelled wait left the clock at once: nothing wakes up while stopped.
            #expect(harness.clock.sleepers.isEmpty)
            harness.clock.advance(by: interval * 10)
            #expect(harness.check.checks == 1)

            // Started again: from an unknown status (held there by an initial delay on the manual
            // clock; without one the first check may already have run), then checking.
            harness.monitor.start(initialDelay: interval)
            #expect(harness.monitor.status == .unknown)
            await harness.advance(to: interval * 11)
            #expect(await harness.next(2) == [.checked(.passed, consecutiveFailures: 0), .becameHealthy])
            harness.monitor.stop()
            #expect(harness.check.checks == 2)
        }
    }

    @Test func stopCancelsACheckInFlightAndReportsNothingOfIt() async throws {
        try await withHealthWatchdog {
            let clock = ManualClock()
            let (started, startedContinuation) = AsyncStream<Void>.makeStream()
            let (ended, endedContinuation) = AsyncStream<Bool>.makeStream()
            // Nothing is ever sent on it: waiting for its next element ends only by cancellation.
            let (silence, silenceContinuation) = AsyncStream<Void>.makeStream()
            let events = Mutex<[HealthEvent]>([])
            let monitor = HealthMonitor(
                interval: interval, failureThreshold: 1, clock: clock,
                check: {
                    startedContinuation.yield()
                    // A check that lasts until it is cancelled.
                    var waiting = silence.makeAsyncIterator()
                    _ = await waiting.next()
                    endedContinuation.yield(Task.isCancelled)
                    return .failed("cancelled")
                }, handler: { event in events.withLock { $0.append(event) } })
            monitor.start()
            var startedEvents = started.makeAsyncIterator()
            _ = await startedEvents.next()
            monitor.stop()
            var endedEvents = ended.makeAsyncIterator()
            #expect(await endedEvents.next() == true)
            #expect(clock.sleepers.isEmpty)
            #expect(events.withLock { $0 }.isEmpty)
            silenceContinuation.finish()
        }
    }

    @Test func handlerMayStopTheMonitor() async throws {
        try await withHealthWatchdog {
            let clock = ManualClock()
            let (stopped, stoppedContinuation) = AsyncStream<Void>.makeStream()
            let events = Mutex<[HealthEvent]>([])
            let monitor = Mutex<HealthMonitor?>(nil)
            let made = HealthMonitor(
                interval: interval, failureThreshold: 1, clock: clock, check: { .failed("down") },
                handler: { event in
                    events.withLock { $0.append(event) }
                    // Stops at the first event: the status change of the same check is dropped.
                    monitor.withLock { $0 }?.stop()
                    stoppedContinuation.yield()
                })
            monitor.withLock { $0 = made }
            made.start()
            var stops = stopped.makeAsyncIterator()
            _ = await stops.next()
            #expect(!made.isRunning)
            #expect(clock.sleepers.isEmpty)
            #expect(events.withLock { $0 } == [.checked(.failed("down"), consecutiveFailures: 1)])
        }
    }
}
