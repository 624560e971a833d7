import Synchronization

/// A clock whose time moves only when a test calls `advance(by:)` (NIO's `advanceTime`), so
/// timers fire without anyone waiting in real time.
///
/// `sleep(until:)` suspends until the clock has been advanced to the deadline (or the sleeping
/// task is cancelled); `waitForSleeper(until:)` lets a test wait until the code under test has
/// armed a timer for a given instant, so it can advance the clock without racing it.
public final class ManualClock: Clock, Sendable {
    /// An instant: the time since the clock started.
    public struct Instant: InstantProtocol {
        /// The time since the clock started.
        public let offset: Duration

        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// The time from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        /// Whether `left` comes first.
        public static func < (left: Instant, right: Instant) -> Bool { left.offset < right.offset }
    }

    private struct Sleeper {
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        /// Sleeps cancelled before they were registered.
        var cancelled: Set<Int> = []
        /// Tests waiting for a sleeper with a given deadline.
        var watchers: [(deadline: Instant, continuation: CheckedContinuation<Bool, Never>)] = []
        /// Set by `stopWaiting()`: no sleeper is to be waited for any more.
        var stopped = false
    }

    private let state = Mutex(State())

    /// A clock at its start, with nobody sleeping.
    public init() {}

    /// The current instant.
    public var now: Instant { state.withLock { $0.now } }

    /// Any duration: time moves only by hand.
    public var minimumResolution: Duration { .zero }

    /// The deadlines of the tasks sleeping now, earliest first.
    public var sleepers: [Instant] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    /// Suspends until the clock has been advanced to `deadline`.
    ///
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Start {
                    case now
                    case cancelled
                    case later([CheckedContinuation<Bool, Never>])
                }
                let start: Start = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return .cancelled }
                    if deadline <= state.now { return .now }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    let woken = state.watchers.filter { $0.deadline == deadline }.map(\.continuation)
                    state.watchers.removeAll { $0.deadline == deadline }
                    return .later(woken)
                }
                switch start {
                case .now: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .later(let watchers): for watcher in watchers { watcher.resume(returning: true) }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil as Sleeper?
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Waits until some task sleeps until exactly `deadline` (at once if one does already).
    ///
    /// - Returns: true once one does; false if `stopWaiting()` was called first (the code under
    ///   test finished instead of arming the timer).
    public func waitForSleeper(until deadline: Instant) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer: Bool? = state.withLock { state in
                if state.sleepers.values.contains(where: { $0.deadline == deadline }) { return true }
                if state.stopped { return false }
                state.watchers.append((deadline, continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Ends every wait of `waitForSleeper(until:)`, now and later, with false.
    public func stopWaiting() {
        let watchers = state.withLock { state in
            state.stopped = true
            defer { state.watchers = [] }
            return state.watchers.map(\.continuation)
        }
        for watcher in watchers { watcher.resume(returning: false) }
    }
}

extension ManualClock.Instant {
    /// The instant `offset` after the clock started.
    public static func at(_ offset: Duration) -> Self { Self(offset: offset) }
}
