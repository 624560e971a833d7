import ArgumentParser
import Foundation
import KeelAPI
import KeelBuild
import KeelFormats
import KeelLinux
import KeelStore
import KeelSystem

/// `keel switch`: build keel.toml's system and make it the current generation.
struct SwitchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "Build keel.toml's system and make it the current generation (or switch to generation N).",
        discussion: """
            Evaluates keel.toml (as `keel eval`), builds and adds whatever is missing — sources, \
            fetches, derivations, the system path — then records generation N+1 and points \
            ROOT/profiles/system at it with one rename(2). When the system is already the current \
            generation, nothing changes. An input that is not locked, or that changed since it \
            was locked, is refused (naming it and both hashes) unless --update-lock rewrites \
            keel.lock first. --to N makes an existing generation current instead.

            Profiles use Nix's layout, so `nix-env --list-generations -p ROOT/profiles/system` \
            lists Keel's generations. Generations are GC roots. Every switch is appended to the \
            ledger. Another switch of the same root waits for this one (and says so).

            Output: `generation N: PATH`; with --json, an object with generation, path, previous, \
            new (whether a generation was made) and built (the derivations built). Progress goes \
            to stderr when it is a terminal.
            Exit status: 0 on success; 1 on a problem in keel.toml or keel.lock, a failed build \
            or a missing generation; 130 when stopped by Ctrl-C or SIGTERM while building (the \
            profile is unchanged; once everything is built, the switch completes).

            Binary caches ([host] substituters in keel.toml, or --substituters) are asked for the \
            system path and then for each missing package before anything is built; a path whose \
            narinfo is not signed by a trusted key ([host] trusted_public_keys, or \
            --trusted-public-keys), or whose NAR does not match its hashes, is refused with a \
            warning and built here instead.
            """
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var substitution: SubstitutionOptions

    @Option(name: .customLong("to"), help: "Make generation N current instead of building keel.toml.")
    var generation: Int?

    @Flag(help: "Refresh keel.lock (downloading new fetches) before switching.")
    var updateLock = false

    @Option(name: [.customShort("j", allowingJoined: true), .long], help: "How many builds to run at once.")
    var jobs: Int = 1

    @Flag(name: [.customShort("L"), .customLong("print-build-logs")], help: "Print the builders' output on stderr.")
    var printBuildLogs = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "With --to, switch to a generation even if SafeSwitch marked it failed.")
    var force = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("-j must be at least 1") }
        if generation != nil, updateLock { throw ValidationError("--to and --update-lock cannot be combined") }
        if force, generation == nil { throw ValidationError("--force goes with --to N") }
    }

    func run() throws {
        if let generation {
            try ProfileFlip(
                target: .generation(generation), root: store.root, storeDir: store.storeDir, json: json, force: force
            ).run()
            return
        }
        let outcome: SystemSwitcher.Outcome
        let built: [String]
        do {
            let evaluation = try HostEvaluation(config, updateLock: updateLock)
            let local = try store.open()
            let plan = try evaluation.plan(for: local.layout.storeDirectory)
            let collectionLock = try storeOperation { try local.lockAgainstCollection() }
            defer { withExtendedLifetime(collectionLock) {} }
            let caches = try substitution.substitution(
                host: evaluation.configuration.host, store: local, showProgress: isatty(STDERR_FILENO) == 1)
            let realised = try SystemRealisation(jobs: jobs, printBuildLogs: printBuildLogs, substitution: caches)
                .realise(plan, in: local)
            built = realised.built.map(local.fullPath)
            let configuration = evaluation.configuration
            let systemPath = local.fullPath(realised.systemPath)
            let request = SwitchRequest(
                systemPath: systemPath, configHash: configuration.contentHash,
                gitCommit: GitRevision.head(of: configuration.directory))
            if let daemonOutcome = try DaemonSwitch.switchSystem(request, root: local.layout.root) {
                DaemonSwitch.print(daemonOutcome, systemPath: systemPath, built: built, json: json)
                return
            }
            outcome = try switching {
                try SystemSwitcher(layout: local.layout, noticeWaiting: waiting).switchTo(
                    systemPath: local.fullPath(realised.systemPath), configHash: configuration.contentHash,
                    gitCommit: GitRevision.head(of: configuration.directory), host: configuration.host.name)
            }
        }
        SwitchReport.print(outcome, built: built, root: try store.layout().root, json: json)
    }

    private func waiting(_ message: String) { StandardErrorLine.write("keel: " + message) }
}

/// Runs a profile change, turning its errors into one-line CLI errors.
func switching<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ProfileError {
        throw CLIError(error.description)
    } catch let error as EvaluationError {
        throw CLIError(error.description)
    } catch let error as StoreError {
        throw CLIError(error.description)
    } catch let error as CLIError {
        throw error
    } catch {
        throw CLIError("\(error)")
    }
}
