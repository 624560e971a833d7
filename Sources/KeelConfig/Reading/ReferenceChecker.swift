/// Checks the names one table uses for another: packages in `${packages.…}`, `inputs` and an
/// agent's `packages`; agents in `depends_on`; and that neither packages nor agents depend on
/// themselves in a cycle (the whole cycle is named).
///
/// A name is unknown only when no table declares it: a package or agent that is declared but has
/// problems of its own has them reported where it is, not again at every use.
struct ReferenceChecker {
    /// The valid packages.
    let packages: [PackageSpec]
    /// The valid agents.
    let agents: [AgentSpec]
    /// Every name under `[packages]`, valid or not.
    let declaredPackages: Set<String>
    /// Every name under `[agents]`, valid or not.
    let declaredAgents: Set<String>
    let log: ProblemLog
    /// `[host] env`, whose values may name packages too.
    var hostEnvironment: [(key: String, value: ConfigString)] = []

    func check() {
        let packageNames = Set(packages.map(\.name))
        var packageEdges: [String: [ConfigString]] = [:]
        for package in packages {
            var edges: [ConfigString] = []
            if case .python(let python) = package.kind {
                edges.append(requirePackage(python.interpreter, role: "the interpreter of '\(package.name)'"))
                if let interpreter = packages.first(where: { $0.name == python.interpreter.value }),
                    interpreter.kindName != "debian"
                {
                    log.add(
                        "package '\(package.name)': its interpreter '\(interpreter.name)' must be a Debian runtime "
                            + "(debian = [\"python3.11-minimal\", …]), not \(interpreter.kindName == "python" ? "a Python runtime" : "a '\(interpreter.kindName)' package")",
                        at: python.interpreter.position)
                }
            } else {
                for input in package.inputs { edges.append(requirePackage(input, role: "input")) }
            }
            if case .derivation(let derivation) = package.kind {
                let strings = [derivation.builder] + derivation.arguments + derivation.environment.map(\.value)
                edges += strings.flatMap { references(in: $0) }
            }
            packageEdges[package.name] = edges.filter { packageNames.contains($0.value) }
        }
        reportCycles(
            packageEdges, order: packages.map(\.name), noun: "package", key: "inputs and ${packages.…}")

        for (_, value) in hostEnvironment { _ = references(in: value) }
        let agentNames = Set(agents.map(\.name))
        var agentEdges: [String: [ConfigString]] = [:]
        for agent in agents {
            for package in agent.packages { _ = requirePackage(package, role: "package") }
            let runtimes = agent.packages.filter { name in packages.contains { $0.name == name.value && $0.isRuntime } }
            if runtimes.count > 1 {
                log.add(
                    "agent '\(agent.name)' lists \(runtimes.count) runtimes (\(runtimes.map { "'\($0.value)'" }.joined(separator: ", "))); "
                        + "an agent runs in one runtime: make one Python or Debian runtime that holds what it needs",
                    at: runtimes[1].position)
            }
            var strings = agent.command + agent.environment.map(\.value)
            if case .exec(let argv) = agent.health?.probe { strings += argv }
            for string in strings { _ = references(in: string) }
            for dependency in agent.dependsOn where !declaredAgents.contains(dependency.value) {
                let hint = KeySuggestion.hint(for: dependency.value, among: declaredAgents.sorted())
                log.add(
                    "agent '\(agent.name)' depends on unknown agent '\(dependency.value)'\(hint)",
                    at: dependency.position)
            }
            agentEdges[agent.name] = agent.dependsOn.filter { agentNames.contains($0.value) }
        }
        reportCycles(agentEdges, order: agents.map(\.name), noun: "agent", key: "depends_on")
    }

    /// Reports `name` when no package has it; returns it as an edge.
    private func requirePackage(_ name: ConfigString, role: String) -> ConfigString {
        if !declaredPackages.contains(name.value) {
            let hint = KeySuggestion.hint(for: name.value, among: declaredPackages.sorted())
            log.add("unknown package '\(name.value)' (named as \(role))\(hint)", at: name.position)
        }
        return name
    }

    /// The packages `${packages.…}` names in `string`, reporting unknown ones and malformed
    /// references at their place in the string.
    private func references(in string: ConfigString) -> [ConfigString] {
        let occurrences: [PackageReference.Occurrence]
        do { occurrences = try PackageReference.occurrences(in: string.value) } catch {
            log.add(error.description, at: string.position)
            return []
        }
        var found: [ConfigString] = []
        for occurrence in occurrences {
            let position = log.position(ofScalar: occurrence.offset, in: string)
            if declaredPackages.contains(occurrence.name) {
                found.append(ConfigString(occurrence.name, at: position))
            } else {
                let hint = KeySuggestion.hint(for: occurrence.name, among: declaredPackages.sorted())
                log.add("unknown package '\(occurrence.name)' in ${packages.\(occurrence.name)}\(hint)", at: position)
            }
        }
        return found
    }

    /// Finds each cycle in `edges` once (depth-first, in `order`) and reports it at the reference
    /// that closes it.
    private func reportCycles(_ edges: [String: [ConfigString]], order: [String], noun: String, key: String) {
        var state: [String: Bool] = [:]  // false: on the current path; true: finished
        var stack: [String] = []
        func visit(_ node: String) {
            state[node] = false
            stack.append(node)
            for edge in edges[node] ?? [] {
                switch state[edge.value] {
                case nil: visit(edge.value)
                case false?:
                    let start = stack.lastIndex(of: edge.value) ?? 0
                    let cycle = (stack[start...] + [edge.value]).map { "'\($0)'" }.joined(separator: " → ")
                    log.add("\(noun) dependency cycle (\(key)): \(cycle)", at: edge.position)
                case true?: break
                }
            }
            stack.removeLast()
            state[node] = true
        }
        for node in order where state[node] == nil { visit(node) }
    }
}
