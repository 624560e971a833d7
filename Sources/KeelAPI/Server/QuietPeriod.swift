import KeelLinux
import NIOCore
import NIOPosix
import Synchronization

/// Runs an action once nothing has been noted for a while: each `note()` pushes the action back
/// by `length`. Timed by an event loop, and idle when nothing is noted (no periodic wake-up).
/// The action runs on a thread of its own, never on the event loop.
public final class QuietPeriod: Sendable {
    private let length: TimeAmount
    private let action: @Sendable () -> Void
    private let loop: (any EventLoop)?
    private let pending = Mutex<Scheduled<Void>?>(nil)

    /// Runs `action` once `length` has passed without a `note()`, timed by `loop` (by default, a
    /// loop of NIO's singleton group).
    public init(_ length: Duration, loop: (any EventLoop)? = nil, action: @escaping @Sendable () -> Void) {
        self.length = TimeAmount(length)
        self.loop = loop
        self.action = action
    }

    /// Something happened: the action waits for `length` from now.
    public func note() {
        let action = action
        let next = (loop ?? MultiThreadedEventLoopGroup.singleton.any()).scheduleTask(in: length) {
            DetachedThread.start { action() }
        }
        let earlier = pending.withLock { pending in
            defer { pending = next }
            return pending
        }
        earlier?.cancel()
    }

    deinit { pending.withLock { $0?.cancel() } }
}
