import ArgumentParser
import Foundation
import KeelConfig
import KeelFormats
import KeelStore
import KeelSystem

/// `keel generations`: list the system profile's generations, or delete old ones.
struct GenerationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generations",
        abstract: "List the system's generations.",
        discussion: """
            One line per generation, oldest first: number, creation time (UTC), status (good, \
            failed or pending; the current one is marked), closure size and system path. With \
            --json, an array of objects with number, time (RFC 3339), path, closure_size (bytes, \
            the NAR size of the whole closure), status, current, config_hash and git_commit.
            """,
        subcommands: [GenerationsList.self, GenerationsDelete.self],
        defaultSubcommand: GenerationsList.self
    )
}

/// `keel generations list` (the default).
struct GenerationsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the system's generations (the default).")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() throws {
        let local = try store.open()
        let generations = try switching { try Profile(systemIn: local.layout).generations() }
        let sizes = try generations.map { try closureSize(of: $0.systemPath, in: local) }
        if json {
            let items = zip(generations, sizes).map { generation, size in
                JSONValue.object([
                    ("number", .number(Int64(generation.number))), ("time", .string(Self.rfc3339(generation.time))),
                    ("path", .string(generation.systemPath)),
                    ("closure_size", size.map { .number(Int64($0)) } ?? .null),
                    ("status", .string(generation.status.rawValue)), ("current", .bool(generation.isCurrent)),
                    ("config_hash", generation.record.configHash.map { .string($0) } ?? .null),
                    ("git_commit", generation.record.gitCommit.map { .string($0) } ?? .null),
                ])
            }
            print(JSONValue.array(items).rendered())
            return
        }
        for (generation, size) in zip(generations, sizes) {
            let status = generation.isCurrent ? "current" : generation.status.rawValue
            let shown = size.map { ByteCount($0).description } ?? "-"
            print(
                "\(String(generation.number).leftPadded(4))  \(Self.rfc3339(generation.time))  "
                    + "\(status.padding(toLength: 8, withPad: " ", startingAt: 0))  \(shown.leftPadded(10))  \(generation.systemPath)"
            )
        }
    }

    /// The NAR size of the closure of `path`, or nil when it is not a valid path of this store.
    private func closureSize(of path: String, in local: LocalStore) throws -> UInt64? {
        guard let storePath = try? local.storePath(path), (try? local.isValid(storePath)) == true else { return nil }
        return try storeOperation {
            try local.closure(of: [storePath]).reduce(UInt64(0)) { $0 + (try local.info($1).narSize) }
        }
    }

    static func rfc3339(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// `keel generations delete --keep N | --older-than AGE`.
struct GenerationsDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete old generations (never the current one).",
        discussion: """
            --keep N keeps the current generation and the newest others up to N in all; \
            --older-than AGE (such as 30d, 12h) deletes only generations created longer ago. \
            Given both, a generation is deleted when both say so. Only the generation links and \
            Keel's records go; run `keel store gc` to free the store paths no generation uses. \
            Appended to the ledger.

            Output: the numbers deleted (or JSON with --json); --dry-run only prints them.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Keep this many generations (the current one included).")
    var keep: Int?

    @Option(help: "Delete generations older than this (30d, 12h, 90m...).")
    var olderThan: String?

    @Flag(help: "Print what would be deleted without deleting it.")
    var dryRun = false

    @Flag(help: "Print a JSON object.")
    var json = false

    func validate() throws {
        guard keep != nil || olderThan != nil else { throw ValidationError("give --keep N or --older-than AGE") }
        if let keep, keep < 1 { throw ValidationError("--keep must be at least 1") }
    }

    func run() throws {
        var age: Duration?
        if let olderThan {
            do { age = try ConfigDuration(parsing: olderThan).duration } catch {
                throw CLIError("--older-than: \(error.description)", status: .usage)
            }
        }
        let local = try store.open()
        let profile = Profile(systemIn: local.layout)
        let deleted: [Int] = try switching {
            let lock = try profile.lock { StandardErrorLine.write("keel: " + $0) }
            defer { withExtendedLifetime(lock) {} }
            let doomed = try profile.retention(keep: keep, olderThan: age, now: Int64(Date().timeIntervalSince1970))
            if !dryRun, !doomed.isEmpty {
                try profile.delete(doomed)
                try SystemLedger(root: local.layout.root).record(
                    "system.generations.delete", subject: "profile-system",
                    details: ["deleted": .array(doomed.map { .integer(Int64($0)) })])
            }
            return doomed
        }
        if json {
            print(
                JSONValue.object([
                    ("deleted", .array(deleted.map { .number(Int64($0)) })), ("dry_run", .bool(dryRun)),
                ]).rendered())
        } else if deleted.isEmpty {
            print("nothing to delete")
        } else {
            print(
                (dryRun ? "would delete generations " : "deleted generations ")
                    + deleted.map(String.init).joined(separator: " "))
        }
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
