import KeelAPI
import KeelTesting
import Synchronization
import Testing

/// `QuietPeriod`: an action run once notes stop.
@Suite(.ownThreads) struct QuietPeriodTests {
    @Test func notesInQuickSuccessionRunTheActionOnceTheyStop() async {
        let (ran, report) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        let runs = Atomic<Int>(0)
        let quiet = QuietPeriod(.seconds(1)) {
            runs.add(1, ordering: .relaxed)
            report.yield(.now)
        }
        let start = ContinuousClock.now
        for _ in 0..<20 { quiet.note() }
        let last = ContinuousClock.now
        var iterator = ran.makeAsyncIterator()
        let first = await iterator.next()
        // Not before the quiet period that followed the last note.
        #expect(first.map { last.duration(to: $0) >= .seconds(1) } == true)
        #expect(first.map { start.duration(to: $0) < .seconds(60) } == true)
        // A note after the action runs it again.
        quiet.note()
        #expect(await iterator.next() != nil)
        #expect(runs.load(ordering: .relaxed) == 2)
    }
}
