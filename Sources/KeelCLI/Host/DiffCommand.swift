import ArgumentParser
import KeelFormats
import KeelStore
import KeelSystem

/// `keel diff A B`: what changed between two generations or system paths.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two generations (numbers) or system paths.",
        discussion: """
            Packages: every name in either closure whose versions or size changed (versions \
            parsed from store path names as `nix store diff-closures` does; size changes under \
            8 KiB are shown only with a version change) and every package keel.toml names whose \
            store path changed (an edited source tree), and the closure size delta. Agents: \
            added, removed, and changed with the manifest fields that differ.

            Output: a readable summary, or with --json an object with packages (name, kind, \
            before, after, size_delta), closure_size (before, after, delta) and agents (name, \
            kind, fields).
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print a JSON object.")
    var json = false

    @Argument(help: "The older system: a generation number or a system store path.")
    var from: String

    @Argument(help: "The newer system: a generation number or a system store path.")
    var to: String

    func run() throws {
        let local = try store.open()
        let diff = try switching {
            try SystemDiff.compare(try resolve(from, in: local), try resolve(to, in: local), in: local)
        }
        let (before, after) = diff.closureSizes
        let delta = Int64(after) - Int64(before)
        if json {
            let packages = diff.packages.map { change in
                JSONValue.object([
                    ("name", .string(change.name)), ("kind", .string(change.kind)),
                    ("before", .array(change.before.map { .string($0) })),
                    ("after", .array(change.after.map { .string($0) })), ("size_delta", .number(change.sizeDelta)),
                ])
            }
            let agents = diff.agents.map { change in
                JSONValue.object([
                    ("name", .string(change.name)), ("kind", .string(change.kind)),
                    ("fields", .array(change.fields.map { .string($0) })),
                ])
            }
            print(
                JSONValue.object([
                    ("packages", .array(packages)),
                    (
                        "closure_size",
                        .object([
                            ("before", .number(Int64(before))), ("after", .number(Int64(after))),
                            ("delta", .number(delta)),
                        ])
                    ),
                    ("agents", .array(agents)),
                ]).rendered())
            return
        }
        print("packages:" + (diff.packages.isEmpty ? " no changes" : ""))
        for change in diff.packages {
            let versions =
                change.before == change.after
                ? "\(Self.versions(change.before)), contents changed"
                : "\(Self.versions(change.before)) → \(Self.versions(change.after))"
            print("  \(change.name): \(versions), \(Self.signed(change.sizeDelta))")
        }
        print("closure size: \(ByteCount(before)) → \(ByteCount(after)) (\(Self.signed(delta)))")
        print("agents:" + (diff.agents.isEmpty ? " no changes" : ""))
        for change in diff.agents {
            switch change.kind {
            case "added": print("  + \(change.name)")
            case "removed": print("  - \(change.name)")
            default: print("  ~ \(change.name): \(change.fields.joined(separator: ", "))")
            }
        }
    }

    /// A generation number's system path, or a store path given as is.
    private func resolve(_ argument: String, in local: LocalStore) throws -> StorePath {
        var path = argument
        if let number = Int(argument) {
            guard let generation = try Profile(systemIn: local.layout).generation(number) else {
                throw EvaluationError("there is no generation \(number) (see `keel generations`)")
            }
            path = generation.systemPath
        }
        let storePath = try local.storePath(path)
        guard try local.isValid(storePath) else {
            throw EvaluationError("'\(path)' is not a valid path in the store")
        }
        return storePath
    }

    private static func versions(_ list: [String]) -> String {
        list.isEmpty ? "∅" : list.map { $0.isEmpty ? "ε" : $0 }.joined(separator: ", ")
    }

    private static func signed(_ bytes: Int64) -> String {
        (bytes < 0 ? "-" : "+") + ByteCount(bytes.magnitude).description
    }
}
