import ArgumentParser
import KeelSystem

/// `keel eval`: the system path a configuration gives, without building anything.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Print the system store path keel.toml gives, without building anything.",
        discussion: """
            Reads keel.toml and keel.lock, checks every key, type and reference (all problems are \
            printed at once as FILE:LINE:COL: message), checks that every fetch, .drv file and \
            host path is locked to what it is now, and computes the store path of every package \
            and of the system itself, as `keel switch` would build them. Nothing is written.

            Output: the system path; with --json, the manifest it holds (every agent resolved).
            Exit status: 0 on success; 1 when the configuration or the lock has a problem.
            """
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the manifest (JSON) instead of the system path.")
    var json = false

    func run() throws {
        let evaluation = try HostEvaluation(config, updateLock: false)
        let layout = try store.layout()
        let plan = try evaluation.plan(for: layout.storeDirectory)
        if json {
            print(String(decoding: plan.manifest.encoded(), as: UTF8.self), terminator: "")
        } else {
            print(layout.storeDirectory.fullPath(plan.systemPath))
        }
    }
}
