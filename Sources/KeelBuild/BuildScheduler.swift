import Foundation
import KeelFormats
import KeelStore

/// Realises derivations: plans what is missing, then runs up to `settings.jobs` builders at
/// once, each starting as soon as the derivations it needs are built. The first failure stops
/// the others (their sandboxes are killed) and is what `build` throws.
public final class BuildScheduler: Sendable {
    private let store: LocalStore
    private let settings: BuildSettings
    private let events: BuildEvents
    /// Stops every running build; the CLI triggers it on Ctrl-C.
    public let cancellation = BuildCancellation()

    /// A scheduler for builds in `store`.
    public init(store: LocalStore, settings: BuildSettings, events: BuildEvents = .ignored) {
        self.store = store
        self.settings = settings
        self.events = events
    }

    /// What `build` did for one requested derivation.
    public struct Result: Sendable {
        /// The derivation.
        public let derivation: StorePath
        /// Its outputs by name.
        public let outputs: [String: StorePath]
        /// Whether a builder ran for it in this call (false: its outputs were already valid, or
        /// another process made them valid while this one waited for their locks).
        public let built: Bool
    }

    /// Builds the missing outputs of `derivations` (with `check`: rebuilds them and compares)
    /// and returns each one's outputs, in the order given.
    public func build(_ derivations: [StorePath], check: Bool = false) throws(BuildError) -> [Result] {
        BuildDirectory.removeAbandoned(stateRoot: store.layout.root)
        let collectionLock: GarbageCollectionLock
        do { collectionLock = try store.lockAgainstCollection() } catch {
            throw BuildError(.system, error.description, cause: error)
        }
        defer { withExtendedLifetime(collectionLock) {} }
        let loader = DerivationLoader(store: store)
        let plan = try BuildPlanner(loader: loader, substitution: settings.substitution).plan(
            derivations, check: check)
        let reaper = BuildDirectoryReaper()
        defer { reaper.drain() }
        let builder = DerivationBuilder(
            store: store, loader: loader, settings: settings, cancellation: cancellation, events: events,
            reaper: reaper, callerEnvironment: ProcessInfo.processInfo.environment)
        let requested = Set(derivations)
        let ranBuilder = try run(plan) { path in
            try builder.build(path, check: check && requested.contains(path)) != .alreadyValid
        }
        var results: [Result] = []
        for path in derivations {
            let derivation = try loader.load(path)
            results.append(
                Result(
                    derivation: path, outputs: try loader.outputPaths(of: derivation, drvPath: path),
                    built: ranBuilder.contains(path)))
        }
        return results
    }

    /// Runs `work` for every planned derivation after those it waits for, on up to `jobs` threads;
    /// returns the derivations for which `work` said it ran a builder.
    private func run(_ plan: [StorePath: Set<StorePath>], work: @escaping @Sendable (StorePath) throws -> Bool)
        throws(BuildError) -> Set<StorePath>
    {
        let state = SchedulerState(plan: plan)
        let condition = NSCondition()
        condition.lock()
        defer { condition.unlock() }
        while true {
            while state.failure == nil, state.running < max(1, settings.jobs), let next = state.takeReady() {
                state.running += 1
                let thread = Thread { [cancellation] in
                    var failure: BuildError?
                    var ran = false
                    do { ran = try work(next) } catch {
                        failure = error as? BuildError ?? BuildError(.system, "\(error)", cause: error)
                    }
                    condition.lock()
                    state.running -= 1
                    if let failure {
                        if state.failure == nil || state.failure?.kind == .cancelled && failure.kind != .cancelled {
                            state.failure = failure
                        }
                        cancellation.cancel(.anotherBuildFailed(failure.message))
                    } else {
                        if ran { state.ranBuilder.insert(next) }
                        state.finish(next)
                    }
                    condition.signal()
                    condition.unlock()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            if state.running == 0 && (state.failure != nil || !state.hasReady) { break }
            condition.wait()
        }
        if let failure = state.failure { throw failure }
        if let reason = cancellation.reason { throw BuildError(.cancelled, reason.description, cause: reason) }
        return state.ranBuilder
    }
}

/// The scheduler's bookkeeping, touched only under its condition's lock.
private final class SchedulerState: @unchecked Sendable {
    var waitingFor: [StorePath: Set<StorePath>]
    var dependents: [StorePath: [StorePath]] = [:]
    var ready: [StorePath]
    var running = 0
    var failure: BuildError?
    /// The derivations whose builder ran (not those another process finished first).
    var ranBuilder: Set<StorePath> = []

    init(plan: [StorePath: Set<StorePath>]) {
        waitingFor = plan
        for (path, inputs) in plan {
            for input in inputs { dependents[input, default: []].append(path) }
        }
        ready = plan.filter { $0.value.isEmpty }.map(\.key).sorted(by: >)
    }

    var hasReady: Bool { !ready.isEmpty }

    func takeReady() -> StorePath? { ready.popLast() }

    func finish(_ path: StorePath) {
        for dependent in dependents[path] ?? [] {
            waitingFor[dependent]?.remove(path)
            if waitingFor[dependent]?.isEmpty == true { ready.append(dependent) }
        }
    }
}
