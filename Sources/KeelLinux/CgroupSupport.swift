#if canImport(Glibc)
    import Glibc
#endif

/// Which cgroups this host offers Keel, found once at start from `/proc/self/mountinfo` and
/// `/proc/self/cgroup`.
///
/// Keel's groups always live in a `keel` directory under `base` (the daemon's own cgroup in each
/// hierarchy, so limits set on the daemon, a systemd unit's delegated subtree included, hold for
/// its agents too): cgroup v1 `<mount>/<own path>/keel/<agent>` per controller (on a host
/// where the daemon sits at a hierarchy's root, `/sys/fs/cgroup/<controller>/keel/<agent>`),
/// cgroup v2 `<own cgroup or root>/keel/<agent>`.
///
/// Preferred order: cgroup v2 when it has at least one of memory, pids and cpu available, or
/// when no v1 hierarchy has any; else cgroup v1 with whichever of memory, pids, cpu and freezer
/// are mounted; else none, with the reason.
public struct CgroupSupport: Sendable, Equatable, CustomStringConvertible {
    /// A controller Keel uses.
    public enum Controller: String, Sendable, CaseIterable, Comparable {
        /// Memory limit and OOM events.
        case memory
        /// Process count limit.
        case pids
        /// CPU bandwidth limit.
        case cpu
        /// Freezing a tree before killing it (v1 only; v2 has `cgroup.freeze` built in).
        case freezer

        /// Orders as declared.
        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// What was found.
    public enum Hierarchy: Sendable, Equatable {
        /// One cgroup2 hierarchy: `base` is the directory `keel/` goes in, `controllers` those
        /// `base` may enable for its children.
        case v2(base: String, controllers: Set<Controller>)
        /// cgroup v1: for each controller mounted (and writable), the directory `keel/` goes in.
        case v1(bases: [Controller: String])
        /// No usable cgroups; the reason says why.
        case unavailable(reason: String)
    }

    /// What was found.
    public let hierarchy: Hierarchy

    /// Wraps a finding.
    public init(hierarchy: Hierarchy) {
        self.hierarchy = hierarchy
    }

    /// The controllers usable for limits (memory, pids, cpu; v1's freezer too).
    public var controllers: Set<Controller> {
        switch hierarchy {
        case .v2(_, let controllers): controllers
        case .v1(let bases): Set(bases.keys)
        case .unavailable: []
        }
    }

    /// One line for `keel status`: `cgroup v1 (memory, pids, cpu)`, `cgroup v2 (memory, pids,
    /// cpu)`, `none: REASON`.
    public var description: String {
        let limits = controllers.filter { $0 != .freezer }.sorted().map(\.rawValue).joined(separator: ", ")
        switch hierarchy {
        case .v2: return limits.isEmpty ? "cgroup v2 (no controllers: no limits)" : "cgroup v2 (\(limits))"
        case .v1: return limits.isEmpty ? "cgroup v1 (no limit controllers)" : "cgroup v1 (\(limits))"
        case .unavailable(let reason): return "none: \(reason)"
        }
    }

    /// Looks at this process's mounts and cgroups.
    public static func detect() -> CgroupSupport {
        guard let mountInfo = try? FileSystem.readWholeFile("/proc/self/mountinfo", limit: 1 << 24) else {
            return CgroupSupport(hierarchy: .unavailable(reason: "cannot read /proc/self/mountinfo"))
        }
        guard let ownCgroups = try? FileSystem.readWholeFile("/proc/self/cgroup", limit: 1 << 20) else {
            return CgroupSupport(hierarchy: .unavailable(reason: "cannot read /proc/self/cgroup"))
        }
        return detect(
            mountInfo: String(decoding: mountInfo, as: UTF8.self),
            ownCgroups: String(decoding: ownCgroups, as: UTF8.self),
            availableV2Controllers: { base in
                guard let text = try? FileSystem.readWholeFile(base + "/cgroup.controllers", limit: 4096) else {
                    return []
                }
                return Set(
                    String(decoding: text, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap {
                        Controller(rawValue: String($0))
                    })
            },
            isWritable: { access($0, W_OK) == 0 })
    }

    /// The decision, from the two files' text; `availableV2Controllers` reads a v2 directory's
    /// `cgroup.controllers` and `isWritable` says whether this process may create groups in a
    /// directory.
    public static func detect(
        mountInfo: String, ownCgroups: String, availableV2Controllers: (String) -> Set<Controller>,
        isWritable: (String) -> Bool
    ) -> CgroupSupport {
        let mounts = MountInfoLine.cgroupMounts(in: mountInfo)
        let membership = OwnCgroups(ownCgroups)
        var v2Base: String?
        var v2Controllers: Set<Controller> = []
        if let unified = mounts.first(where: { $0.isV2 }), unified.writable, let own = membership.unifiedPath {
            let base = unified.directory(for: own)
            if isWritable(base) {
                v2Base = base
                v2Controllers = availableV2Controllers(base).subtracting([.freezer])
            }
        }
        var v1Bases: [Controller: String] = [:]
        for mount in mounts where !mount.isV2 && mount.writable {
            for controller in Controller.allCases where mount.options.contains(controller.rawValue) {
                guard let own = membership.path(forV1: mount.options) else { continue }
                let base = mount.directory(for: own)
                if isWritable(base) { v1Bases[controller] = base }
            }
        }
        if let v2Base, !v2Controllers.isEmpty || v1Bases.isEmpty {
            return CgroupSupport(hierarchy: .v2(base: v2Base, controllers: v2Controllers))
        }
        if !v1Bases.isEmpty { return CgroupSupport(hierarchy: .v1(bases: v1Bases)) }
        if mounts.isEmpty { return CgroupSupport(hierarchy: .unavailable(reason: "no cgroup file system is mounted")) }
        return CgroupSupport(
            hierarchy: .unavailable(reason: "no writable cgroup hierarchy with memory, pids, cpu or freezer"))
    }
}

/// One cgroup mount of `/proc/self/mountinfo`.
struct MountInfoLine {
    /// The mount's root inside its hierarchy.
    let root: String
    /// Where it is mounted.
    let mountPoint: String
    /// Whether it is cgroup2.
    let isV2: Bool
    /// Its super options (v1 controllers are named there).
    let options: Set<String>
    /// Whether it is mounted read-write.
    let writable: Bool

    /// The cgroup mounts, in order.
    static func cgroupMounts(in text: String) -> [MountInfoLine] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count >= separator + 4 else {
                return nil
            }
            let type = fields[separator + 1]
            guard type == "cgroup" || type == "cgroup2" else { return nil }
            let mountOptions = Set(fields[5].split(separator: ",").map(String.init))
            return MountInfoLine(
                root: unescape(fields[3]), mountPoint: unescape(fields[4]), isV2: type == "cgroup2",
                options: Set(fields[separator + 3].split(separator: ",").map(String.init)),
                writable: mountOptions.contains("rw"))
        }
    }

    /// The directory of cgroup `path` (as `/proc/self/cgroup` names it) under this mount.
    func directory(for path: String) -> String {
        var relative = path
        if root != "/" {
            guard relative == root || relative.hasPrefix(root + "/") else { return mountPoint }
            relative = String(relative.dropFirst(root.count))
        }
        if relative == "/" || relative.isEmpty { return mountPoint }
        return mountPoint + relative
    }

    /// mountinfo escapes space, tab, newline and backslash as `\ooo`.
    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count,
                let value = UInt8(String(decoding: source[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `/proc/self/cgroup`: this process's cgroup in each hierarchy.
struct OwnCgroups {
    /// Path by the hierarchy's controller list (`""` for cgroup2).
    private var paths: [String: String] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            paths[String(fields[1])] = String(fields[2])
        }
    }

    /// The cgroup2 path.
    var unifiedPath: String? { paths[""] }

    /// The path in the v1 hierarchy whose mount has `options` (its controllers among them).
    func path(forV1 options: Set<String>) -> String? {
        for (controllers, path) in paths where !controllers.isEmpty {
            let names = controllers.split(separator: ",").map(String.init)
            if !names.isEmpty, names.allSatisfy({ options.contains($0) }) { return path }
        }
        return nil
    }
}
