import Foundation
import KeelSystem

/// What `keel switch` and `keel rollback` print: the generation now current, as a line or as
/// JSON, and on stderr whether a daemon will act on it.
enum SwitchReport {
    /// Prints `outcome`; `built` lists the derivations built for it.
    static func print(_ outcome: SystemSwitcher.Outcome, built: [String], root: String, json: Bool) {
        let generation = outcome.generation
        if json {
            Swift.print(
                JSONValue.object([
                    ("generation", .number(Int64(generation.number))), ("path", .string(generation.systemPath)),
                    ("previous", outcome.previous.map { .number(Int64($0.number)) } ?? .null),
                    ("new", .bool(outcome.isNew)), ("built", .array(built.map { .string($0) })),
                ]).rendered())
        } else if outcome.previous?.number == generation.number {
            Swift.print("generation \(generation.number) is already current: \(generation.systemPath)")
        } else {
            Swift.print("generation \(generation.number): \(generation.systemPath)")
        }
        DaemonNotice.afterSwitch(root: root, generation: generation.number)
    }
}

/// What a switch says about the daemon that activates generations.
enum DaemonNotice {
    /// The daemon's API socket under `root`.
    static func socketPath(root: String) -> String { root + "/run/keel.sock" }

    /// On stderr: a switch with no daemon running changes only what is on disk.
    static func afterSwitch(root: String, generation: Int) {
        guard !FileManager.default.fileExists(atPath: socketPath(root: root)) else { return }
        StandardErrorLine.write(
            "keel: no keel daemon is running for \(root): generation \(generation) is current on disk, and no "
                + "agent was started or stopped")
    }
}
