import Foundation
import KeelAPI
import KeelSystem

/// `keel switch` and `keel rollback` when a daemon runs for the root: the daemon flips the
/// profile and activates the generation (starting, stopping and restarting agents, then
/// probation), so the two never disagree about which generation runs.
enum DaemonSwitch {
    /// The daemon's answer to `request`, or nil when no daemon runs for `root` (the caller
    /// flips the profile itself).
    static func switchSystem(_ request: SwitchRequest, root: String) throws -> SwitchOutcome? {
        try call(root: root) { try await $0.switchSystem(request) }
    }

    /// The daemon's rollback, or nil when no daemon runs for `root`.
    static func rollback(root: String) throws -> SwitchOutcome? {
        try call(root: root) { try await $0.rollback() }
    }

    private static func call(
        root: String, _ body: @escaping @Sendable (DaemonClient) async throws -> SwitchOutcome
    ) throws -> SwitchOutcome? {
        let paths = DaemonPaths(root: root)
        guard FileManager.default.fileExists(atPath: paths.socket) else { return nil }
        do {
            return try AsyncBridge.wait { try await DaemonClient.with(paths: paths, body) }
        } catch DaemonClientError.notRunning {
            return nil
        } catch let error as DaemonClientError {
            throw CLIError(error.description)
        }
    }

    /// Prints what the daemon did: the generation, then (on stderr, or in the JSON) the
    /// agents started, restarted and stopped, and the probation.
    static func print(_ outcome: SwitchOutcome, systemPath: String, built: [String], json: Bool) {
        if json {
            Swift.print(
                JSONValue.object([
                    ("generation", .number(Int64(outcome.generation))), ("path", .string(systemPath)),
                    ("previous", outcome.previousGeneration.map { .number(Int64($0)) } ?? .null),
                    ("new", .bool(outcome.previousGeneration != outcome.generation)),
                    ("built", .array(built.map { .string($0) })),
                    (
                        "activation",
                        .object([
                            ("started", .array(outcome.started.map { .string($0) })),
                            ("restarted", .array(outcome.restarted.map { .string($0) })),
                            ("stopped", .array(outcome.stopped.map { .string($0) })),
                            ("unchanged", .array(outcome.unchanged.map { .string($0) })),
                            ("probation_ms", outcome.probationMs.map { .number($0) } ?? .null),
                        ])
                    ),
                ]).rendered())
            return
        }
        if outcome.previousGeneration == outcome.generation {
            Swift.print("generation \(outcome.generation) is already current: \(systemPath)")
        } else {
            Swift.print("generation \(outcome.generation): \(systemPath)")
        }
        var parts: [String] = []
        for (label, names) in [
            ("started", outcome.started), ("restarted", outcome.restarted), ("stopped", outcome.stopped),
            ("unchanged", outcome.unchanged),
        ] where !names.isEmpty {
            parts.append("\(label) \(names.joined(separator: ", "))")
        }
        StandardErrorLine.write("keel: activated: " + (parts.isEmpty ? "no agents" : parts.joined(separator: "; ")))
        if let probation = outcome.probationMs, probation > 0 {
            StandardErrorLine.write(
                "keel: on probation for \(DurationText.render(milliseconds: probation)) (`keel status` shows it; "
                    + "SafeSwitch rolls back by itself if an agent fails)")
        }
    }
}
