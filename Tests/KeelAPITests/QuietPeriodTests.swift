import KeelAPI
import KeelTesting
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// `QuietPeriod`: an action run once notes stop, on a loop whose time the test moves.
@Suite(.ownThreads) struct QuietPeriodTests {
    @Test func notesInQuickSuccessionRunTheActionOnceTheyStop() async {
        let loop = NIOAsyncTestingEventLoop()
        let (ran, report) = AsyncStream.makeStream(of: Void.self)
        let runs = Atomic<Int>(0)
        let quiet = QuietPeriod(.seconds(10), loop: loop) {
            runs.add(1, ordering: .relaxed)
            report.yield()
        }
        for _ in 0..<20 { quiet.note() }
        var iterator = ran.makeAsyncIterator()
        await loop.advanceTime(by: .seconds(9))
        #expect(runs.load(ordering: .relaxed) == 0)
        await loop.advanceTime(by: .seconds(1))
        #expect(await iterator.next() != nil)
        // A note after the action runs it again, once.
        quiet.note()
        await loop.advanceTime(by: .seconds(10))
        #expect(await iterator.next() != nil)
        #expect(runs.load(ordering: .relaxed) == 2)
        await loop.shutdownGracefully()
    }
}
