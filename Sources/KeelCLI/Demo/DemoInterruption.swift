import KeelLinux
import Synchronization

/// Ctrl-C (SIGINT) or SIGTERM during the demo: the demo's children get SIGTERM at once (the
/// daemon then stops its agents), the step in progress fails, and the demo cleans up and exits
/// 130. Install it before any other thread starts, so that no thread takes the signals itself.
final class DemoInterruption: Sendable {
    private struct State {
        var interrupted = false
        var children: [ObjectIdentifier: DemoChild] = [:]
    }

    private let state = Mutex(State())

    private init() {}

    /// Blocks SIGINT and SIGTERM in this thread and those it starts, and waits for them on a
    /// thread of its own.
    static func install() -> DemoInterruption {
        let interruption = DemoInterruption()
        SignalMask.onStopSignal { _ in interruption.interrupt() }
        return interruption
    }

    /// Whether a stop signal has arrived.
    var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// Throws `DemoInterrupted` once a stop signal has arrived: steps call it between them.
    func check() throws(DemoInterrupted) {
        if isInterrupted { throw DemoInterrupted() }
    }

    /// Has `child` sent SIGTERM on interruption (at once when it has already come).
    func watch(_ child: DemoChild) {
        let interrupted = state.withLock { state in
            state.children[ObjectIdentifier(child)] = child
            return state.interrupted
        }
        if interrupted { child.send(DemoChild.terminate) }
    }

    /// Stops watching `child` (it has been reaped: its pid must not be signalled any more).
    func forget(_ child: DemoChild) {
        _ = state.withLock { $0.children.removeValue(forKey: ObjectIdentifier(child)) }
    }

    private func interrupt() {
        let children = state.withLock { state in
            state.interrupted = true
            return Array(state.children.values)
        }
        for child in children { child.send(DemoChild.terminate) }
    }
}

/// The demo was stopped by a signal.
struct DemoInterrupted: Error, Sendable {}
