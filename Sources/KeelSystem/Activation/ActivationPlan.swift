/// What activating a generation does to the agents of the one before: which to stop, restart
/// and start, and in what order, so that an agent starts after the agents it depends on and
/// stops before them. An agent whose resolved definition (argv, env, limits, checks… — its
/// whole manifest entry) is unchanged is left running untouched.
public struct ActivationPlan: Sendable, Equatable {
    /// One thing to do to one agent.
    public enum Step: Sendable, Equatable {
        /// Stop the agent.
        case stop(String)
        /// Start the agent (after its dependencies are ready).
        case start(String)
    }

    /// Agents only in the old generation.
    public let removed: [String]
    /// Agents in both whose definition changed.
    public let changed: [String]
    /// Agents only in the new generation.
    public let added: [String]
    /// Agents in both with the same definition: not touched.
    public let unchanged: [String]
    /// The steps, in order: every stop (removed and changed agents, dependents before what they
    /// depend on, as the old generation declared them), then every start (changed and added
    /// agents, dependencies first, as the new generation declares them).
    public let steps: [Step]

    /// The plan from `old` (nil: nothing runs yet) to `new`.
    public init(from old: SystemManifest?, to new: SystemManifest) {
        let before = old?.agents ?? [:]
        let after = new.agents
        removed = before.keys.filter { after[$0] == nil }.sorted()
        added = after.keys.filter { before[$0] == nil }.sorted()
        changed = after.keys.filter { name in before[name].map { $0 != after[name] } ?? false }.sorted()
        unchanged = after.keys.filter { name in before[name].map { $0 == after[name] } ?? false }.sorted()
        let stopping = Set(removed + changed)
        let starting = Set(changed + added)
        let stops = old.map { Self.dependencyOrder($0).reversed().filter(stopping.contains) } ?? []
        let starts = Self.dependencyOrder(new).filter(starting.contains)
        steps = stops.map(Step.stop) + starts.map(Step.start)
    }

    /// Every agent of `manifest`, each after the agents it depends on (depth first, in name
    /// order, so the order is the same on every host). Names
    /// `depends_on` gives that are not agents are skipped (validation refused them already), and
    /// a cycle (refused too) is broken where it is met rather than looping.
    public static func dependencyOrder(_ manifest: SystemManifest) -> [String] {
        var placed: Set<String> = []
        var visiting: Set<String> = []
        var order: [String] = []
        func visit(_ name: String) {
            guard !placed.contains(name), visiting.insert(name).inserted, let agent = manifest.agents[name] else {
                return
            }
            for dependency in agent.dependsOn.sorted() { visit(dependency) }
            visiting.remove(name)
            placed.insert(name)
            order.append(name)
        }
        for name in manifest.agents.keys.sorted() { visit(name) }
        return order
    }
}
