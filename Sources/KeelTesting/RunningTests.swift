import Foundation
import KeelLinux
import Synchronization

/// The tests that hold a turn (`TestConcurrency`), and a watch that ends the test process when
/// one has run for longer than any test should (`KEEL_TEST_HANG_MINUTES`, default 15): a hung
/// test would otherwise hold its turn, and the run, until CI's own limit, saying nothing. Before
/// ending it names every running test and how long each has run. `KEEL_TEST_TRACE_TURNS=1`
/// writes each turn taken and given to stderr.
enum RunningTests {
    private struct Entry {
        let name: String
        let started: ContinuousClock.Instant
    }

    private static let entries = Mutex<[Int: Entry]>([:])
    private static let nextID = Atomic<Int>(0)
    private static let tracing = ProcessInfo.processInfo.environment["KEEL_TEST_TRACE_TURNS"] != nil
    private static let limit: Duration = {
        let text = ProcessInfo.processInfo.environment["KEEL_TEST_HANG_MINUTES"] ?? ""
        return .seconds(60 * (Int(text).flatMap { $0 > 0 ? $0 : nil } ?? 15))
    }()
    private static let watch: Void = DetachedThread.start(stackSize: 256 * 1024) { RunningTests.watchLoop() }

    /// Records that `name` took a turn; returns its id for `ended`.
    static func started(_ name: String) -> Int {
        _ = watch
        let id = nextID.add(1, ordering: .relaxed).newValue
        entries.withLock { $0[id] = Entry(name: name, started: .now) }
        if tracing { write("turn + \(name)\n") }
        return id
    }

    /// Records that the test `id` gave its turn back.
    static func ended(_ id: Int) {
        let entry = entries.withLock { $0.removeValue(forKey: id) }
        if tracing, let entry { write("turn - \(entry.name)\n") }
    }

    private static func watchLoop() {
        while true {
            Thread.sleep(forTimeInterval: 30)
            let now = ContinuousClock.now
            let running = entries.withLock { Array($0.values) }.sorted { $0.started < $1.started }
            guard let oldest = running.first, now - oldest.started > limit else { continue }
            let lines = running.map { "  \($0.name): running for \(Int((now - $0.started).components.seconds)) s" }
            write(
                "keel tests: a test has run for over \(limit.components.seconds / 60) minutes (KEEL_TEST_HANG_MINUTES); "
                    + "ending the run. Running now:\n" + lines.joined(separator: "\n") + "\n")
            abort()
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
