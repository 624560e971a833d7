import Foundation
import KeelFormats
import KeelLinux
import KeelStore

/// What changed between two systems: the packages of their closures (grouped by name, versions
/// parsed as `nix store diff-closures` does) with size deltas, and the agents added, removed and
/// changed, naming the fields that changed. A package keel.toml names whose store path changed is
/// listed even when its version and size did not (an edited source tree is a change).
public struct SystemDiff: Sendable {
    /// One package name whose versions or size differ.
    public struct PackageChange: Sendable, Equatable {
        /// The name without the version.
        public let name: String
        /// Its versions in the first closure (empty: absent; "" is a path without a version).
        public let before: [String]
        /// Its versions in the second.
        public let after: [String]
        /// The change in NAR size, in bytes.
        public let sizeDelta: Int64

        /// Added, removed or changed.
        public var kind: String { before.isEmpty ? "added" : after.isEmpty ? "removed" : "changed" }
    }

    /// One agent that differs.
    public struct AgentChange: Sendable, Equatable {
        /// The agent.
        public let name: String
        /// Added, removed or changed.
        public let kind: String
        /// The manifest fields that differ (for a changed agent).
        public let fields: [String]
    }

    /// The package changes, by name.
    public let packages: [PackageChange]
    /// The agent changes, by name.
    public let agents: [AgentChange]
    /// The closure sizes (NAR bytes) of the two systems, the system paths included.
    public let closureSizes: (before: UInt64, after: UInt64)

    /// Size changes smaller than this are not shown unless versions changed (as Nix).
    public static let sizeThreshold: Int64 = 8 * 1024

    /// Compares the systems at `before` and `after`, both valid in `store`.
    public static func compare(_ before: StorePath, _ after: StorePath, in store: LocalStore) throws -> SystemDiff {
        let first = try Self.closure(of: before, in: store)
        let second = try Self.closure(of: after, in: store)
        let manifests = (try manifest(of: before, in: store), try manifest(of: after, in: store))
        let replaced = replacedPackages(manifests.0, manifests.1, in: store)
        var packages: [PackageChange] = []
        for name in Set(first.keys).union(second.keys).sorted() {
            let old = first[name] ?? [:]
            let new = second[name] ?? [:]
            let delta = Int64(new.values.reduce(0, +)) - Int64(old.values.reduce(0, +))
            let versionsBefore = old.keys.sorted()
            let versionsAfter = new.keys.sorted()
            if versionsBefore != versionsAfter || abs(delta) >= sizeThreshold || replaced.contains(name) {
                packages.append(
                    PackageChange(name: name, before: versionsBefore, after: versionsAfter, sizeDelta: delta))
            }
        }
        let agents = try agentChanges(manifests.0, manifests.1)
        // The system paths themselves count, as in `keel generations`.
        let sizes = (
            first.values.flatMap(\.values).reduce(0, +) + (try store.info(before).narSize),
            second.values.flatMap(\.values).reduce(0, +) + (try store.info(after).narSize)
        )
        return SystemDiff(packages: packages, agents: agents, closureSizes: sizes)
    }

    /// The manifest held by the system path `path`.
    public static func manifest(of path: StorePath, in store: LocalStore) throws -> SystemManifest {
        let file = store.fullPath(path) + "/manifest.json"
        do { return try SystemManifest.decode(try FileSystem.readWholeFile(file)) } catch let error
            as KeelLinux.SystemError
        {
            throw EvaluationError(
                "'\(store.fullPath(path))' is not a Keel system (cannot read manifest.json: \(error.reason))")
        }
    }

    /// The names (without versions) of the store paths of packages both manifests declare whose
    /// paths differ.
    private static func replacedPackages(_ before: SystemManifest, _ after: SystemManifest, in store: LocalStore)
        -> Set<String>
    {
        var names: Set<String> = []
        for (name, old) in before.packages {
            guard let new = after.packages[name], new.path != old.path else { continue }
            for path in [old.path, new.path] {
                if let storePath = try? store.storePath(path) { names.insert(PackageName(storePath.name).name) }
            }
        }
        return names
    }

    /// The closure of `path` (the system path itself left out), grouped: name → version → NAR size.
    private static func closure(of path: StorePath, in store: LocalStore) throws -> [String: [String: UInt64]] {
        var grouped: [String: [String: UInt64]] = [:]
        for member in try store.closure(of: [path]) where member != path {
            let parsed = PackageName(member.name)
            grouped[parsed.name, default: [:]][parsed.version, default: 0] += try store.info(member).narSize
        }
        return grouped
    }

    private static func agentChanges(_ before: SystemManifest, _ after: SystemManifest) throws -> [AgentChange] {
        var changes: [AgentChange] = []
        for name in Set(before.agents.keys).union(after.agents.keys).sorted() {
            switch (before.agents[name], after.agents[name]) {
            case (nil, .some): changes.append(AgentChange(name: name, kind: "added", fields: []))
            case (.some, nil): changes.append(AgentChange(name: name, kind: "removed", fields: []))
            case (let old?, let new?) where old != new:
                let oldFields = try fields(of: old)
                let newFields = try fields(of: new)
                let differing = Set(oldFields.keys).union(newFields.keys).sorted().filter {
                    oldFields[$0] != newFields[$0]
                }
                changes.append(AgentChange(name: name, kind: "changed", fields: differing))
            default: continue
            }
        }
        return changes
    }

    /// Each top-level field of an agent's manifest entry as canonical JSON text.
    private static func fields(of agent: SystemManifest.Agent) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(agent)) as? [String: Any] ?? [:]
        var result: [String: String] = [:]
        for (key, value) in object {
            let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
            result[key] = String(decoding: data, as: UTF8.self)
        }
        return result
    }
}
