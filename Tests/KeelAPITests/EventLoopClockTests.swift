import KeelAPI
import KeelTesting
import Testing

/// `EventLoopClock`: the daemon's sleeps, on NIO's event loops.
@Suite(.ownThreads) struct EventLoopClockTests {
    @Test func aSleepEndsAtItsDeadlineAndNotBefore() async throws {
        let clock = EventLoopClock()
        let deadline = clock.now.advanced(by: .milliseconds(20))
        try await clock.sleep(until: deadline)
        #expect(clock.now >= deadline)
        // A deadline already past returns at once.
        try await clock.sleep(until: deadline)
    }

    @Test func aCancelledSleepThrowsCancellationErrorWithoutWaitingForItsDeadline() async {
        let clock = EventLoopClock()
        let (started, start) = AsyncStream.makeStream(of: Void.self)
        let sleeper = Task {
            start.yield()
            try await clock.sleep(until: clock.now.advanced(by: .seconds(3600)))
        }
        for await _ in started { break }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}
