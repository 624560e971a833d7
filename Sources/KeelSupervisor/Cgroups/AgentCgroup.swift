import KeelLinux
import KeelSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One agent's cgroup: `<base>/keel/<agent>` in each cgroup v1 hierarchy Keel uses (memory,
/// pids, cpu, freezer), or in the one cgroup v2 hierarchy.
///
/// Keel only ever creates, writes and removes groups inside its own `keel` directory, and only
/// groups named for agents (a name of letters, digits, `-`, `_` and `.`, not starting with
/// `.`), so nothing it does reaches a group it did not make.
///
/// The agent joins the group before it runs (`procsFiles` go into `ProcessSetup`), so none of
/// its descendants can start outside; `killAll()` then reaches every one of them, those that
/// called `setsid` or were reparented included.
public struct AgentCgroup: Sendable, Equatable {
    /// The agent it belongs to.
    public let agent: String
    /// The cgroup version it lives in.
    public let isV2: Bool
    /// The group's directory for each controller (v1; equal paths where controllers share a
    /// mount), or the one directory under every controller (v2).
    public let directories: [CgroupSupport.Controller: String]
    /// The one directory (v2), or the one whose `cgroup.procs` lists the agent's processes (v1:
    /// freezer, else pids, memory, cpu).
    public let primaryDirectory: String

    /// Creates (or finds, after a restart of the daemon) the group of `agent`.
    ///
    /// On cgroup v2 it enables the available memory, pids and cpu controllers for `keel` and
    /// its children. Where the base is the daemon's own (delegated) cgroup and still holds the
    /// daemon, whose processes a v2 group with enabled controllers may not hold, the daemon
    /// first moves itself into a leaf `keel/.supervisor` (only a name an agent cannot have).
    ///
    /// - Throws: `SupervisorError` naming the agent and the file at fault; when cgroups are not
    ///   available, saying so.
    public static func create(agent: String, support: CgroupSupport) throws(SupervisorError) -> AgentCgroup {
        guard isAgentName(agent) else {
            throw SupervisorError("agent \(agent): not a name a cgroup can be made for")
        }
        switch support.hierarchy {
        case .unavailable(let reason):
            throw SupervisorError("agent \(agent): cgroups are not available on this host (\(reason))")
        case .v1(let bases):
            var directories: [CgroupSupport.Controller: String] = [:]
            for (controller, base) in bases {
                let directory = base + "/keel/" + agent
                try makeV1(directory, in: base + "/keel", agent: agent)
                directories[controller] = directory
            }
            let primary = [.freezer, .pids, .memory, .cpu].compactMap { directories[$0] }.first
            guard let primary else { throw SupervisorError("agent \(agent): no cgroup v1 hierarchy to use") }
            return AgentCgroup(agent: agent, isV2: false, directories: directories, primaryDirectory: primary)
        case .v2(let base, let controllers):
            let keel = base + "/keel"
            try make(keel, agent: agent)
            let enable = controllers.filter { $0 != .freezer }.sorted().map { "+" + $0.rawValue }.joined(separator: " ")
            if !enable.isEmpty {
                try enableControllers(enable, base: base, keel: keel, agent: agent)
                try write(enable, to: keel + "/cgroup.subtree_control", agent: agent)
            }
            let directory = keel + "/" + agent
            try make(directory, agent: agent)
            var directories: [CgroupSupport.Controller: String] = [:]
            for controller in controllers { directories[controller] = directory }
            return AgentCgroup(agent: agent, isV2: true, directories: directories, primaryDirectory: directory)
        }
    }

    /// Whether `name` may name a group: letters, digits, `-`, `_`, `.`, not starting with `.`,
    /// at most 200 bytes.
    public static func isAgentName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "."), name.utf8.count <= 200 else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    /// The `cgroup.procs` files a new process of the agent is written to (one per distinct
    /// directory).
    public var procsFiles: [String] {
        Set(directories.values).union([primaryDirectory]).sorted().map { $0 + "/cgroup.procs" }
    }

    /// Whether the memory controller is there: without it a memory limit is left to
    /// `MemoryLimitCheck`.
    public var enforcesMemory: Bool { directories[.memory] != nil }

    /// Every pid in the group and in any group below it.
    ///
    /// - Throws: `SupervisorError` when `cgroup.procs` cannot be read (the group is gone).
    public func processes() throws(SupervisorError) -> [Int32] {
        var pids: [Int32] = []
        do throws(SystemError) {
            try Self.collect(primaryDirectory, into: &pids)
        } catch {
            throw SupervisorError("agent \(agent): cannot list the processes of its cgroup: \(error)")
        }
        return pids
    }

    private static func collect(_ directory: String, into pids: inout [Int32]) throws(SystemError) {
        pids += CgroupFiles.pids(in: try CgroupFiles.read(directory + "/cgroup.procs"))
        for child in try CgroupFiles.childGroups(of: directory) { try collect(directory + "/" + child, into: &pids) }
    }

    /// Whether any process is left in the group (v2: `cgroup.events`' `populated`).
    public func isPopulated() throws(SupervisorError) -> Bool {
        if isV2 {
            do throws(SystemError) {
                let events = try CgroupFiles.read(primaryDirectory + "/cgroup.events")
                return CgroupFiles.value(of: "populated", in: events) != 0
            } catch {
                throw SupervisorError("agent \(agent): cannot read its cgroup's events: \(error)")
            }
        }
        return try !processes().isEmpty
    }

    /// How many times the kernel's OOM killer has killed a process of the group (v1
    /// `memory.oom_control`, v2 `memory.events`: `oom_kill`).
    ///
    /// - Throws: `SupervisorError` without a memory controller or when the file cannot be read.
    public func oomKillCount() throws(SupervisorError) -> UInt64 {
        guard let memory = directories[.memory] else {
            throw SupervisorError("agent \(agent): its cgroup has no memory controller")
        }
        let file = memory + (isV2 ? "/memory.events" : "/memory.oom_control")
        do throws(SystemError) {
            return CgroupFiles.value(of: "oom_kill", in: try CgroupFiles.read(file)) ?? 0
        } catch {
            throw SupervisorError("agent \(agent): cannot read \(file): \(error)")
        }
    }

    /// Removes the group (and any group the agent made below it) from every hierarchy; a group
    /// already gone is fine.
    ///
    /// - Throws: `SupervisorError` while processes are left in it (`killAll()` first).
    /// On cgroup v1 the `keel` directory goes too once it has no agent's group left (it is
    /// inside whatever group the daemon runs in, which its owner may want to remove).
    public func remove() throws(SupervisorError) {
        for directory in Set(directories.values).union([primaryDirectory]).sorted() {
            try removeTree(directory)
            if !isV2 {
                // Busy while another agent's group is in it: then it stays.
                _ = try? CgroupFiles.removeGroup(String(directory.dropLast(agent.utf8.count + 1)))
            }
        }
    }

    /// Creates `directory` in the v1 `keel` directory, which a concurrent `remove()` of the last
    /// other agent may remove between the two steps.
    private static func makeV1(_ directory: String, in keel: String, agent: String) throws(SupervisorError) {
        for _ in 0..<10 {
            try make(keel, agent: agent)
            do throws(SystemError) {
                try CgroupFiles.makeGroup(directory)
                return
            } catch  where error.errno == ENOENT {
                continue
            } catch {
                throw SupervisorError("agent \(agent): cannot create its cgroup: \(error)")
            }
        }
        throw SupervisorError("agent \(agent): cannot create its cgroup: \(keel) keeps vanishing")
    }

    private func removeTree(_ directory: String) throws(SupervisorError) {
        do throws(SystemError) {
            try Self.removeGroups(directory)
        } catch {
            throw SupervisorError("agent \(agent): cannot remove its cgroup: \(error)")
        }
    }

    /// Removes `directory` and the groups below it, deepest first; a missing one is fine.
    private static func removeGroups(_ directory: String) throws(SystemError) {
        let children: [String]
        do throws(SystemError) {
            children = try CgroupFiles.childGroups(of: directory)
        } catch  where error.errno == ENOENT {
            return
        }
        for child in children { try removeGroups(directory + "/" + child) }
        try CgroupFiles.removeGroup(directory)
    }

    static func make(_ directory: String, agent: String) throws(SupervisorError) {
        do throws(SystemError) { try CgroupFiles.makeGroup(directory) } catch {
            throw SupervisorError("agent \(agent): cannot create its cgroup: \(error)")
        }
    }

    static func write(_ text: String, to file: String, agent: String) throws(SupervisorError) {
        do throws(SystemError) { try CgroupFiles.write(text, to: file) } catch {
            throw SupervisorError("agent \(agent): cannot write '\(text)' to \(file): \(error)")
        }
    }

    /// Enables `enable` in `base`'s subtree; a base still holding processes (the daemon, in
    /// its delegated cgroup) cannot, so the daemon first moves itself into `keel/.supervisor`.
    private static func enableControllers(
        _ enable: String, base: String, keel: String, agent: String
    ) throws(SupervisorError) {
        do throws(SystemError) {
            try CgroupFiles.write(enable, to: base + "/cgroup.subtree_control")
        } catch  where error.errno == EBUSY {
            let leaf = keel + "/.supervisor"
            try make(leaf, agent: agent)
            for pid in (try? CgroupFiles.pids(in: CgroupFiles.read(base + "/cgroup.procs"))) ?? [] {
                try? CgroupFiles.write("\(pid)", to: leaf + "/cgroup.procs")
            }
            try write(enable, to: base + "/cgroup.subtree_control", agent: agent)
        } catch {
            throw SupervisorError(
                "agent \(agent): cannot write '\(enable)' to \(base)/cgroup.subtree_control: \(error)")
        }
    }
}
