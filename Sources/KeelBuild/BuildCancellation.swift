import KeelSandbox
import Synchronization

/// Stops every running build at once (Ctrl-C, SIGTERM, or another build's failure): killing a
/// sandbox's first process ends its whole PID namespace.
public final class BuildCancellation: Sendable {
    private struct State {
        var reason: BuildStopReason?
        var running: [ObjectIdentifier: SandboxedProcess] = [:]
    }
    private let state = Mutex(State())

    /// A cancellation nothing has triggered yet.
    public init() {}

    /// Why builds were stopped, once they were.
    public var reason: BuildStopReason? { state.withLock { $0.reason } }

    /// Stops all running builds and refuses new ones; the first reason given is kept.
    public func cancel(_ reason: BuildStopReason) {
        let running = state.withLock { state in
            if state.reason == nil { state.reason = reason }
            return Array(state.running.values)
        }
        for process in running { try? process.kill() }
    }

    /// Tracks a started builder; kills it at once when builds were already stopped.
    func register(_ process: SandboxedProcess) {
        let cancelled = state.withLock { state in
            state.running[ObjectIdentifier(process)] = process
            return state.reason != nil
        }
        if cancelled { try? process.kill() }
    }

    /// Stops tracking a builder that has ended.
    func unregister(_ process: SandboxedProcess) {
        _ = state.withLock { $0.running.removeValue(forKey: ObjectIdentifier(process)) }
    }
}
