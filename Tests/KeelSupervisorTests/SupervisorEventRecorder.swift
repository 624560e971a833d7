import KeelSupervisor
import KeelTesting
import Synchronization

/// Collects a supervisor's events and lets a test wait for one, with a watchdog so a bug fails
/// the test instead of hanging it.
final class SupervisorEventRecorder: Sendable {
    private struct Waiter {
        let matches: @Sendable ([SupervisorEvent]) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var events: [SupervisorEvent] = []
        var waiters: [Int: Waiter] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    /// Every event so far.
    var events: [SupervisorEvent] { state.withLock { $0.events } }

    /// The sink to give the supervisor.
    var sink: @Sendable (SupervisorEvent) -> Void { { [self] event in record(event) } }

    private func record(_ event: SupervisorEvent) {
        let ready = state.withLock { state -> [Waiter] in
            state.events.append(event)
            let done = state.waiters.filter { $0.value.matches(state.events) }
            for key in done.keys { state.waiters[key] = nil }
            return Array(done.values)
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// How many events of `kind` (about `subject`, when given) there are.
    func count(_ kind: String, _ subject: String? = nil) -> Int {
        events.filter { $0.kind == kind && (subject == nil || $0.subject == subject) }.count
    }

    /// Waits until there are at least `count` events of `kind` (about `subject`); false when
    /// the watchdog (30 s) ran out first.
    func wait(for kind: String, _ subject: String? = nil, count: Int = 1) async -> Bool {
        await wait { events in
            events.filter { $0.kind == kind && (subject == nil || $0.subject == subject) }.count >= count
        }
    }

    /// Waits until `matches` holds for the events; false when the watchdog ran out first.
    func wait(until matches: @escaping @Sendable ([SupervisorEvent]) -> Bool) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            let id = state.withLock { state -> Int in
                state.next += 1
                return state.next
            }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Bool in
                        if matches(state.events) { return true }
                        state.waiters[id] = Waiter(matches: matches, continuation: continuation)
                        return false
                    }
                    if done { continuation.resume(returning: true) }
                }
            }
            let watchdog = Watchdog.start {
                let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.continuation.resume(returning: false)
            }
            let answer = await group.next() ?? false
            watchdog.cancel()
            return answer
        }
    }
}
