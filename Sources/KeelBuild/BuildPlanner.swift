import KeelFormats
import KeelStore

/// Decides what to build: every requested derivation with a missing output (all of them, with
/// `--check`), and, recursively, every input derivation whose used outputs are missing. Inputs
/// whose outputs are valid are not even read. With a substitution, a derivation's missing
/// outputs are asked for first (before its inputs are looked at: a substituted output makes them
/// unnecessary), and only what is still missing is built.
struct BuildPlanner {
    let loader: DerivationLoader
    var substitution: (any PathSubstitution)?

    /// The derivations to build, each with the planned derivations it waits for.
    func plan(_ requested: [StorePath], check: Bool) throws(BuildError) -> [StorePath: Set<StorePath>] {
        var plan: [StorePath: Set<StorePath>] = [:]
        var settled: Set<StorePath> = []
        for path in requested { _ = try visit(path, forced: check, plan: &plan, settled: &settled) }
        return plan
    }

    /// Adds `path` to the plan when it needs building; returns whether it does.
    private func visit(
        _ path: StorePath, forced: Bool, plan: inout [StorePath: Set<StorePath>], settled: inout Set<StorePath>
    ) throws(BuildError) -> Bool {
        if plan[path] != nil { return true }
        if settled.contains(path) && !forced { return false }
        let derivation = try loader.load(path)
        let outputs = try loader.outputPaths(of: derivation, drvPath: path)
        var missing = try invalid(Array(outputs.values))
        if !forced, !missing.isEmpty, let substitution {
            substitution.substitute(missing.sorted())
            missing = try invalid(missing)
        }
        guard forced || !missing.isEmpty else {
            settled.insert(path)
            return false
        }
        var waitsFor: Set<StorePath> = []
        let directory = loader.store.layout.storeDirectory
        for (input, names) in derivation.inputDerivations {
            let inputPath: StorePath
            do { inputPath = try directory.parse(input) } catch {
                throw BuildError(.badInput, "'\(loader.store.fullPath(path))': bad input derivation '\(input)'")
            }
            let inputOutputs = try loader.outputPaths(of: try loader.load(inputPath), drvPath: inputPath)
            var inputMissing = false
            for name in names {
                if let output = inputOutputs[name], try isValid(output) { continue }
                inputMissing = true
            }
            if inputMissing, try visit(inputPath, forced: false, plan: &plan, settled: &settled) {
                waitsFor.insert(inputPath)
            }
        }
        plan[path] = waitsFor
        return true
    }

    /// The paths of `paths` that are not valid.
    private func invalid(_ paths: [StorePath]) throws(BuildError) -> [StorePath] {
        var result: [StorePath] = []
        for path in paths where !(try isValid(path)) { result.append(path) }
        return result
    }

    private func isValid(_ path: StorePath) throws(BuildError) -> Bool {
        do { return try loader.store.isValid(path) } catch {
            throw BuildError(.system, error.description, cause: error)
        }
    }
}
