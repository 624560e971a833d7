import Foundation
import Synchronization
import Testing

/// A trait that runs each test of a suite on `TestThreadPool` instead of Swift's cooperative
/// pool, at most `TestConcurrency.limit` tests at once.
///
/// Without it a synchronous test (or an async one between awaits) that runs processes holds one
/// of the cooperative pool's threads (one per core) for as long: on a two-core machine two such
/// tests leave every async test — an API server answering, a timer firing — waiting for minutes,
/// and their waits time out. Waiting for a turn happens before a test's time limit starts.
public struct TestConcurrency: SuiteTrait, TestTrait, TestScoping {
    /// How many tests run at once: `KEEL_TEST_JOBS` when set, else twice the cores.
    public static let limit: Int = {
        if let text = ProcessInfo.processInfo.environment["KEEL_TEST_JOBS"], let jobs = Int(text), jobs > 0 {
            return jobs
        }
        return 2 * max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    private static let turns = Turns(limit)

    /// How many turns the current task runs within: 1 in a test with the trait, 0 elsewhere (a
    /// suite nested in another that has the trait applies it twice, and takes one turn).
    @TaskLocal public static var turnsHeld = 0

    /// Applies to every test of the suite and of suites nested in it.
    public var isRecursive: Bool { true }

    /// A scope for each test function (its cases run within it), none for suites.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite || testCase != nil ? nil : self
    }

    /// Waits for a turn, then runs the test on `TestThreadPool`.
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if Self.turnsHeld > 0 { return try await function() }
        await Self.turns.take()
        let running = RunningTests.started(
            "\(test.sourceLocation.fileName):\(test.sourceLocation.line) \(test.displayName ?? test.name)")
        defer {
            RunningTests.ended(running)
            Self.turns.give()
        }
        try await Self.$turnsHeld.withValue(1) {
            try await withTaskExecutorPreference(TestThreadPool.shared) { try await function() }
        }
    }
}

extension Trait where Self == TestConcurrency {
    /// Runs the suite's tests on threads of their own, a few at a time (`TestConcurrency`).
    public static var ownThreads: Self { TestConcurrency() }
}

/// A counting semaphore for tasks: `take` suspends (holding no thread) until one of `limit`
/// turns is free; waiters are served in order.
final class Turns: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ limit: Int) { state = Mutex(State(free: limit)) }

    /// Takes a turn, waiting for one when none is free.
    func take() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Gives a turn back (to the longest waiter, if any).
    func give() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
