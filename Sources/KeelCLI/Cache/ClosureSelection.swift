import ArgumentParser
import KeelFormats
import KeelStore
import KeelSystem

/// What a command copies: the closures of `PATHS…`, of generation `--generation N`, or of the
/// system `-f keel.toml` describes (realised first, without switching).
struct ClosureSelection: ParsableArguments {
    @Argument(help: "Store paths (their closures are taken).")
    var paths: [String] = []

    @Option(help: "The system of generation N (see `keel generations`).")
    var generation: Int?

    @Option(name: .shortAndLong, help: "The system a keel.toml describes, realised first (nothing is switched).")
    var file: String?

    /// Whether anything was selected.
    var isEmpty: Bool { paths.isEmpty && generation == nil && file == nil }

    /// Refuses more than one way of naming what to copy.
    func validate() throws {
        let ways = [!paths.isEmpty, generation != nil, file != nil].filter { $0 }.count
        if ways > 1 { throw ValidationError("give store paths, --generation or -f, not several") }
    }

    /// The store paths selected (not their closures), checked against `local`.
    func roots(in local: LocalStore) throws -> [StorePath] {
        if let file {
            let options = try ConfigOptions.parse(["-f", file])
            let evaluation = try HostEvaluation(options, updateLock: false)
            let plan = try evaluation.plan(for: local.layout.storeDirectory)
            return [try SystemRealisation().realise(plan, in: local).systemPath]
        }
        if let generation {
            let profile = Profile(systemIn: local.layout)
            guard let chosen = try switching({ try profile.generation(generation) }) else {
                throw CLIError("there is no generation \(generation) (see `keel generations`)")
            }
            return [try storeOperation { try local.storePath(chosen.systemPath) }]
        }
        return try storeOperation { try paths.map { try local.storePath($0) } }
    }
}
