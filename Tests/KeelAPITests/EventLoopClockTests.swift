import KeelAPI
import KeelTesting
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// `EventLoopClock`: the daemon's sleeps, timed by an event loop (here one whose time the test
/// moves, so nothing waits for real time).
@Suite(.ownThreads) struct EventLoopClockTests {
    /// Set once a sleep has returned.
    final class Ended: Sendable {
        let value = Mutex(false)
    }

    @Test func aSleepEndsOnceItsLoopReachesTheDeadlineAndNotBefore() async throws {
        let loop = NIOAsyncTestingEventLoop()
        let clock = EventLoopClock(loop: loop)
        let ended = Ended()
        // The deadline is fixed before the sleeping task runs, and the loop's time moves only once
        // it runs: a task that started late (a busy test run) would otherwise sleep an hour from
        // a time the loop had already left behind, and wait for ever.
        let deadline = clock.now.advanced(by: .seconds(3600))
        let (started, start) = AsyncStream.makeStream(of: Void.self)
        let sleeper = Task {
            start.yield()
            try await clock.sleep(until: deadline)
            ended.value.withLock { $0 = true }
        }
        for await _ in started { break }
        // The loop's time moves a minute at a time until the sleep returns: not before an hour
        // has passed on it (and soon after).
        var minutes = 0
        while !ended.value.withLock({ $0 }), minutes < 240 {
            await loop.advanceTime(by: .minutes(1))
            minutes += 1
        }
        try await sleeper.value
        #expect(minutes >= 60 && minutes < 240, "returned after \(minutes) minutes of the loop's time")
        // A deadline already past returns at once, without the loop.
        try await clock.sleep(until: clock.now)
        await loop.shutdownGracefully()
    }

    @Test func aCancelledSleepThrowsCancellationErrorWithoutWaitingForItsDeadline() async {
        let loop = NIOAsyncTestingEventLoop()
        let clock = EventLoopClock(loop: loop)
        let (started, start) = AsyncStream.makeStream(of: Void.self)
        let sleeper = Task {
            start.yield()
            try await clock.sleep(until: clock.now.advanced(by: .seconds(3600)))
        }
        for await _ in started { break }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        await loop.shutdownGracefully()
    }
}
