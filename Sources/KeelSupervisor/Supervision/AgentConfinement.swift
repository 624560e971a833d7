import Foundation
import KeelLinux
import KeelRuntime
import KeelSandbox
import KeelSystem

/// What confines one start of an agent: its cgroup (limits, and the whole tree killed through
/// it), its rlimits, for `isolation = "strict"` its sandbox, and for an agent in a runtime its
/// runtime's view. Made before each start.
struct AgentConfinement {
    let launch: AgentLaunch
    /// Limits that could not be applied here, said once per start (never silently dropped).
    let unenforced: [String]
    /// Whether the memory limit must be checked by RSS (no memory cgroup).
    let checksResidentMemory: Bool
}

extension Supervisor {
    /// The agent's cgroup, created (or found after a restart of the daemon) when cgroups are
    /// available, with its limits applied; processes a previous life left in it are killed.
    func cgroup(for record: AgentRecord<C.Instant>) -> AgentCgroup? {
        if case .unavailable = cgroupSupport.hierarchy { return nil }
        do throws(SupervisorError) {
            let group: AgentCgroup
            if let existing = record.cgroup {
                group = existing
            } else {
                group = try AgentCgroup.create(agent: cgroupName(record.name), support: cgroupSupport)
            }
            if record.cgroup == nil, let leftovers = try? group.processes(), !leftovers.isEmpty {
                try group.killAll()
                emit(
                    "agent.leftover-ended", record.name,
                    ["processes": .integer(Int64(leftovers.count)), "how": .string("found in its cgroup")])
            }
            if record.cgroup == nil || record.appliedLimits != record.agent.limits {
                try group.apply(record.agent.limits)
                record.appliedLimits = record.agent.limits
            }
            record.cgroup = group
            return group
        } catch {
            record.problem = error.description
            emit("agent.cgroup-failed", record.name, ["reason": .string(error.description)])
            return nil
        }
    }

    /// The group name of `agent`: unique to this root, so daemons of two roots never share one.
    func cgroupName(_ agent: String) -> String { cgroupScope + "." + agent }

    /// How `record` starts this time.
    func confinement(
        for record: AgentRecord<C.Instant>, plan: AgentLaunchPlan
    ) throws(SupervisorError) -> AgentConfinement {
        let agent = record.agent
        let limits = agent.limits
        let strict = agent.isolation == "strict"
        // Only an agent with limits (or a strict one) gets a cgroup. Moving a process into a
        // cgroup takes the kernel's cgroup_threadgroup_rwsem for writing, which waits for an RCU
        // grace period (~13 ms here) when none happened lately and holds up every fork on the
        // host meanwhile: that would delay each restart. Without limits, the agent's tree is
        // found through its session, the subreaper and its instance marker instead.
        let hasLimits = limits.memory != nil || limits.pids != nil || limits.cpuMillis != nil
        let group = hasLimits || strict ? cgroup(for: record) : nil
        var unenforced: [String] = []
        if limits.cpuMillis != nil && group?.directories[.cpu] == nil {
            unenforced.append("cpu_millis (no cpu cgroup)")
        }
        if limits.pids != nil && group?.directories[.pids] == nil {
            unenforced.append("pids (no pids cgroup: RLIMIT_NPROC instead, which does not bind root)")
        }
        let checksResidentMemory = limits.memory != nil && group?.directories[.memory] == nil
        var setup = ProcessSetup.agent(limits: limits, cgroup: group, noNewPrivileges: strict)
        let state = paths.stateDirectory(record.name)
        let runtime = paths.runtimeDirectory(record.name)
        let account = try agent.user.map { name throws(SupervisorError) in
            guard let account = UserAccount.named(name) else {
                throw SupervisorError("agent \(record.name): there is no user '\(name)' on this host")
            }
            return account
        }
        if let environment = agent.runtime {
            return try runtimeConfinement(
                record, environment: environment, plan: plan, account: account, setup: setup, unenforced: unenforced,
                checksResidentMemory: checksResidentMemory)
        }
        guard strict else {
            if let account {
                // Its state directory (the supervisor's own) becomes the user's.
                // Its runtime directory lets the user's group reach its notify socket.
                do throws(SystemError) {
                    try FileSystem.changeOwner(of: state, uid: account.uid, gid: account.gid)
                    try FileSystem.changeOwner(of: runtime, uid: 0, gid: account.gid)
                } catch {
                    throw SupervisorError(
                        "agent \(record.name): cannot give its state directory to \(account.name): \(error)")
                }
                setup.identity = ProcessIdentity(uid: account.uid, gid: account.gid, groups: account.groups)
            }
            return AgentConfinement(
                launch: .host(setup), unenforced: unenforced, checksResidentMemory: checksResidentMemory)
        }
        let emptyRoot = paths.root + "/run/empty"
        let identity = account.map { ($0.uid, $0.gid) } ?? StrictIsolation.defaultIdentity
        try StrictIsolation.prepareDirectories(
            agent: record.name, stateDirectory: state, runtimeDirectory: runtime, emptyRoot: emptyRoot,
            identity: identity)
        let spec = StrictIsolation.sandboxSpec(
            agent: record.name, definition: agent, closure: closure(agent.references), stateDirectory: state,
            runtimeDirectory: runtime, emptyRoot: emptyRoot, identity: identity)
        return AgentConfinement(
            launch: .sandbox(spec, setup), unenforced: unenforced, checksResidentMemory: checksResidentMemory)
    }

    /// The confinement of an agent that runs in a runtime's view (`RuntimeView`): strict, the
    /// strict sandbox with the view's mounts added; otherwise the view alone, as the agent's own
    /// user (or the daemon's) inside and outside, with its closure, host paths, state and runtime
    /// directories at their own paths.
    private func runtimeConfinement(
        _ record: AgentRecord<C.Instant>, environment: String, plan: AgentLaunchPlan, account: UserAccount?,
        setup: ProcessSetup, unenforced: [String], checksResidentMemory: Bool
    ) throws(SupervisorError) -> AgentConfinement {
        let agent = record.agent
        let state = paths.stateDirectory(record.name)
        let runtime = paths.runtimeDirectory(record.name)
        let emptyRoot = paths.root + "/run/empty"
        let viewMounts: [SandboxSpec.Mount]
        do { viewMounts = try RuntimeView(environment: environment).mounts() } catch {
            throw SupervisorError("agent \(record.name): \(error.message)")
        }
        let closure = closure(agent.references.filter { $0 != environment })
        var spec: SandboxSpec
        if agent.isolation == "strict" {
            let identity = account.map { ($0.uid, $0.gid) } ?? StrictIsolation.defaultIdentity
            try StrictIsolation.prepareDirectories(
                agent: record.name, stateDirectory: state, runtimeDirectory: runtime, emptyRoot: emptyRoot,
                identity: identity)
            spec = StrictIsolation.sandboxSpec(
                agent: record.name, definition: agent, closure: closure, stateDirectory: state,
                runtimeDirectory: runtime, emptyRoot: emptyRoot, identity: identity)
            spec.mounts = viewMounts + spec.mounts
        } else {
            let user = account.map { ($0.uid, $0.gid, $0.name) } ?? (geteuid(), getegid(), "root")
            do throws(SystemError) {
                try FileSystem.makeDirectories(emptyRoot, permissions: 0o755)
                if let account {
                    try FileSystem.changeOwner(of: state, uid: account.uid, gid: account.gid)
                    try FileSystem.changeOwner(of: runtime, uid: 0, gid: account.gid)
                }
            } catch {
                throw SupervisorError("agent \(record.name): cannot prepare its runtime view: \(error)")
            }
            var extra = Set(closure).sorted().map { SandboxSpec.Mount(source: $0, target: $0, readOnly: true) }
            extra += agent.hostPaths.keys.sorted().map { SandboxSpec.Mount(source: $0, target: $0, readOnly: true) }
            extra.append(SandboxSpec.Mount(source: state, target: state, readOnly: false))
            extra.append(SandboxSpec.Mount(source: runtime, target: runtime, readOnly: false))
            do throws(RuntimeError) {
                spec = try RuntimeView(environment: environment).sandboxSpec(
                    program: plan.arguments.first ?? "", arguments: Array(plan.arguments.dropFirst()),
                    environment: plan.environment, workingDirectory: plan.workingDirectory, extraMounts: extra,
                    user: user, home: state, hostname: HostName.current, emptyRoot: emptyRoot)
            } catch {
                throw SupervisorError("agent \(record.name): \(error.message)")
            }
            spec.killedWithSpawningThread = false
        }
        return AgentConfinement(
            launch: .sandbox(spec, setup), unenforced: unenforced, checksResidentMemory: checksResidentMemory)
    }

    /// Kills whatever is left in `record`'s cgroup (processes that escaped its session) and,
    /// when `remove`, removes the group.
    func sweepCgroup(_ record: AgentRecord<C.Instant>, remove: Bool) {
        guard let group = record.cgroup else { return }
        try? group.killAll()
        if remove {
            record.oomWatch?.stop()
            record.oomWatch = nil
            try? group.remove()
            record.cgroup = nil
        }
    }

    /// Starts watching `record`'s cgroup for OOM kills when it has a memory limit.
    func watchMemory(_ record: AgentRecord<C.Instant>) {
        guard record.oomWatch == nil, let limit = record.agent.limits.memory, let group = record.cgroup,
            group.enforcesMemory
        else { return }
        let name = record.name
        record.oomWatch = try? AgentOOMWatch.start(group) { [weak self] count in
            guard let self else { return }
            Task { await self.outOfMemory(name, limit: limit, count: count) }
        }
    }

    /// The kernel killed a process of `name`'s for going over its memory limit.
    func outOfMemory(_ name: String, limit: UInt64, count: UInt64) {
        guard let record = records[name] else { return }
        let reason = "killed by the kernel's OOM killer: over its memory limit of \(limit) bytes"
        record.problem = reason
        record.endReason = record.endReason ?? "memory limit"
        emit("agent.oom", name, ["limit": .integer(Int64(limit)), "oom_kills": .integer(Int64(count))])
    }

    /// Without a memory cgroup: checks the agent's resident memory against its limit at its
    /// own interval (1 s), and ends it as failed when over.
    func scheduleMemoryCheck(_ record: AgentRecord<C.Instant>, instance: Int) {
        guard let limit = record.agent.limits.memory else { return }
        let name = record.name
        schedule(record, "memory", after: .seconds(1)) { supervisor in
            await supervisor.checkMemory(name, instance: instance, limit: limit)
        }
    }

    private func checkMemory(_ name: String, instance: Int, limit: UInt64) async {
        guard let record = records[name], record.instance == instance, let process = record.process,
            process.termination == nil
        else { return }
        record.timers["memory"] = nil
        if let resident = try? MemoryLimitCheck.breach(of: limit, by: process) {
            emit(
                "agent.oom", name,
                ["limit": .integer(Int64(limit)), "rss": .integer(Int64(resident)), "how": .string("resident memory")])
            await endFailed(
                record, instance: instance, reason: "resident memory \(resident) bytes over its limit of \(limit)")
            return
        }
        scheduleMemoryCheck(record, instance: instance)
    }
}
