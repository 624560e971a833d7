import ArgumentParser
import Foundation
import KeelBuild
import KeelFormats
import KeelLinux
import KeelStore

/// `keel build DRV...`: realise derivations in the sandbox.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build derivations in the sandbox and print their output paths.",
        discussion: """
            Each DRV is a .drv store path valid in Keel's store, or a .drv file on disk, which is \
            first added to the store with the input derivations and sources it names (taken from \
            the store when valid there, else from beside the file, else from their own paths). \
            A file's name gives the derivation's name as in Nix (HASH-NAME.drv or NAME.drv); a \
            file not named after the store path it is added as, such as leaf.drv, is reported \
            with that path on stderr. \
            Every missing output is built in dependency order, up to -j at once, each in a sandbox \
            that sees only its input closure (read-only), /build, a minimal /dev, /proc and /etc, \
            and no network except for fixed-output derivations. Outputs are registered with the \
            references found in them. Already-valid outputs are not rebuilt. With --substituters, \
            the binary caches are asked for a derivation's missing outputs (and their closures) \
            before it is built; only narinfos signed by a --trusted-public-keys key are used.

            Output: one output path per line (all outputs of each DRV, in order), or with --json \
            an array of {"drvPath", "outputs", "built"}. Progress goes to stderr; -L also prints \
            the builders' output. Logs are kept per derivation: `keel log DRV`.

            Exit status: 0 when every output is valid; 1 when a build failed (the error shows \
            the last lines of its log), an input is missing, or --check found a difference \
            (the differing files are listed); 130 when stopped by Ctrl-C or SIGTERM, which kills \
            every running builder and registers nothing of theirs.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var substitution: SubstitutionOptions

    @Option(
        name: [.customShort("j", allowingJoined: true), .long], help: "How many builds to run at once (-j2 or -j 2).")
    var jobs: Int = 1

    @Option(help: "NIX_BUILD_CORES for each builder (default: the number of CPUs).")
    var cores: Int?

    @Option(help: "Kill a builder that runs longer than this many seconds.")
    var timeout: Double?

    @Option(help: "Kill a builder that prints nothing for this many seconds.")
    var maxSilentTime: Double?

    @Option(
        name: .customLong("sandbox-paths"),
        help: "Expose a host path in the sandbox: TARGET=SOURCE or PATH (repeatable; like Nix's sandbox-paths).")
    var sandboxPaths: [String] = []

    @Flag(help: "Rebuild already-valid outputs and compare them bit for bit with the valid ones.")
    var check = false

    @Flag(name: [.customShort("L"), .customLong("print-build-logs")], help: "Print the builders' output on stderr.")
    var printBuildLogs = false

    @Flag(help: "Print a JSON array instead of output paths.")
    var json = false

    @Argument(help: "The derivations: .drv store paths or .drv files.")
    var derivations: [String]

    func validate() throws {
        if jobs < 1 { throw ValidationError("-j must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let maxSilentTime, maxSilentTime <= 0 { throw ValidationError("--max-silent-time must be positive") }
    }

    func run() throws {
        let local = try store.open()
        var settings = BuildSettings()
        settings.jobs = jobs
        if let cores { settings.cores = cores }
        settings.timeout = timeout.map { .milliseconds(Int64($0 * 1000)) }
        settings.maxSilentTime = maxSilentTime.map { .milliseconds(Int64($0 * 1000)) }
        for text in sandboxPaths {
            do { settings.sandboxPaths.append(try BuildSettings.SandboxPath(parsing: text)) } catch {
                throw CLIError(error.message, status: .usage)
            }
        }
        let paths = try derivations.map { try resolve($0, in: local) }
        let caches = try substitution.substitution(host: nil, store: local, showProgress: isatty(STDERR_FILENO) == 1)
        settings.substitution = caches
        defer { caches?.substituter.close() }
        let scheduler = BuildScheduler(
            store: local, settings: settings, events: BuildProgress.events(store: local, printLogs: printBuildLogs))
        SignalMask.onStopSignal { [cancellation = scheduler.cancellation] signal in
            cancellation.cancel(signal == SIGINT ? .interrupted : .terminated)
        }
        let results: [BuildScheduler.Result]
        do { results = try scheduler.build(paths, check: check) } catch {
            throw CLIError(error.message, status: error.stopReason?.isSignal == true ? .interrupted : .failure)
        }
        if json {
            let items = results.map { result in
                JSONValue.object([
                    ("drvPath", .string(local.fullPath(result.derivation))),
                    (
                        "outputs",
                        .object(
                            result.outputs.sorted { $0.key < $1.key }.map { name, path in
                                (name, .string(local.fullPath(path)))
                            })
                    ),
                    ("built", .bool(result.built)),
                ])
            }
            print(JSONValue.array(items).rendered())
        } else if !check {
            for result in results {
                for (_, path) in result.outputs.sorted(by: { $0.key < $1.key }) { print(local.fullPath(path)) }
            }
        }
    }

    /// A .drv store path valid in the store, or a .drv file to import; a file whose name is not
    /// the store path it is imported as is named with that path on stderr.
    private func resolve(_ argument: String, in local: LocalStore) throws -> StorePath {
        if let path = try? local.storePath(argument), (try? local.isValid(path)) == true { return path }
        let path: StorePath
        do { path = try DerivationImporter(store: local).importFile(argument) } catch {
            throw CLIError(error.message)
        }
        if URL(fileURLWithPath: argument).lastPathComponent != path.baseName {
            StandardErrorLine.write("imported '\(argument)' as '\(local.fullPath(path))'")
        }
        return path
    }
}
