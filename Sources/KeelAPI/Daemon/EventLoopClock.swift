import NIOCore
import NIOPosix

/// The daemon's clock: `ContinuousClock`'s time, with sleeps timed by NIO's event loops
/// (epoll timeouts) instead of libdispatch's timers.
///
/// libdispatch on Linux starts a monitor of its worker pool with the first worker thread, and
/// that monitor wakes a thread once a second for the life of the process; a timer of
/// `ContinuousClock` runs on that pool. The daemon's backoffs, health intervals, watchdog
/// deadlines and probation sleep here instead, so that a daemon whose agents have no checks
/// never wakes (with Swift concurrency's jobs on the same loops, see `DaemonCommand`).
public struct EventLoopClock: Clock, Sendable {
    /// `ContinuousClock`'s instants: the two clocks read the same time.
    public typealias Instant = ContinuousClock.Instant

    /// Where sleeps are timed: a loop of NIO's singleton group when nil.
    private let loop: (any EventLoop)?

    /// A clock whose sleeps are timed by `loop` (by default, a loop of NIO's singleton group);
    /// every instance reads the same time.
    public init(loop: (any EventLoop)? = nil) {
        self.loop = loop
    }

    /// Now, as `ContinuousClock` reads it.
    public var now: Instant { ContinuousClock.now }

    /// `ContinuousClock`'s resolution.
    public var minimumResolution: Duration { ContinuousClock().minimumResolution }

    /// Sleeps until `deadline`, timed by its event loop.
    ///
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let delay = now.duration(to: deadline)
        guard delay > .zero else { return }
        let timer = (loop ?? MultiThreadedEventLoopGroup.singleton.any()).scheduleTask(in: TimeAmount(delay)) {}
        do {
            try await withTaskCancellationHandler {
                try await timer.futureResult.get()
            } onCancel: {
                timer.cancel()
            }
        } catch {
            throw CancellationError()
        }
    }
}
