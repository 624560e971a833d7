import KeelLinux
import KeelSystem

#if canImport(Glibc)
    import Glibc
#endif

extension AgentCgroup {
    /// The CPU bandwidth period the cpu limit is expressed in: 100 ms.
    public static let cpuPeriodMicroseconds: UInt64 = 100_000

    /// Sets the group's limits; a limit left out is set to unlimited (a group reused after a
    /// change of definition keeps nothing of the old one).
    ///
    /// - memory: v1 `memory.limit_in_bytes` and `memory.memsw.limit_in_bytes` (the same value:
    ///   no swap beyond it, where swap accounting is on), v2 `memory.max` and
    ///   `memory.swap.max` 0. Without a memory controller nothing is set: `enforcesMemory` is
    ///   `false` and `MemoryLimitCheck` is the caller's fallback.
    /// - pids: `pids.max`.
    /// - cpuMillis: v1 `cpu.cfs_period_us` 100000 and `cpu.cfs_quota_us` millis × 100; v2
    ///   `cpu.max` `QUOTA 100000`.
    /// - openFiles: not a cgroup matter (an rlimit: see `ProcessSetup.agent`).
    ///
    /// - Throws: `SupervisorError` when a pids or cpu limit is asked for and the controller is
    ///   missing, or a file cannot be written.
    public func apply(_ limits: SystemManifest.Limits) throws(SupervisorError) {
        if let memory = directories[.memory] { try applyMemory(limits.memory, in: memory) }
        if let pids = directories[.pids] {
            try Self.write(limits.pids.map { String($0) } ?? "max", to: pids + "/pids.max", agent: agent)
        } else if limits.pids != nil {
            throw SupervisorError(
                "agent \(agent): a pids limit needs the pids cgroup controller, which is not available")
        }
        if let cpu = directories[.cpu] {
            let quota = limits.cpuMillis.map { UInt64(max(1, $0)) * Self.cpuPeriodMicroseconds / 1000 }
            if isV2 {
                let text = "\(quota.map { String($0) } ?? "max") \(Self.cpuPeriodMicroseconds)"
                try Self.write(text, to: cpu + "/cpu.max", agent: agent)
            } else {
                try Self.write("\(Self.cpuPeriodMicroseconds)", to: cpu + "/cpu.cfs_period_us", agent: agent)
                try Self.write(quota.map { String($0) } ?? "-1", to: cpu + "/cpu.cfs_quota_us", agent: agent)
            }
        } else if limits.cpuMillis != nil {
            throw SupervisorError("agent \(agent): a cpu limit needs the cpu cgroup controller, which is not available")
        }
    }

    private func applyMemory(_ bytes: UInt64?, in directory: String) throws(SupervisorError) {
        if isV2 {
            try Self.write(bytes.map { String($0) } ?? "max", to: directory + "/memory.max", agent: agent)
            if CgroupFiles.exists(directory + "/memory.swap.max") {
                try Self.write(bytes == nil ? "max" : "0", to: directory + "/memory.swap.max", agent: agent)
            }
            return
        }
        let value = bytes.map { String($0) } ?? "-1"
        let limit = directory + "/memory.limit_in_bytes"
        let withSwap = directory + "/memory.memsw.limit_in_bytes"
        guard CgroupFiles.exists(withSwap) else {
            try Self.write(value, to: limit, agent: agent)
            // Without swap accounting, keep the group out of swap as far as the kernel lets it.
            try? CgroupFiles.write(bytes == nil ? "60" : "0", to: directory + "/memory.swappiness")
            return
        }
        // memory.memsw.limit_in_bytes may never be below memory.limit_in_bytes: lowering sets
        // the memory limit first, raising the other first.
        do throws(SystemError) {
            try CgroupFiles.write(value, to: limit)
            try CgroupFiles.write(value, to: withSwap)
        } catch  where error.errno == EINVAL {
            try Self.write(value, to: withSwap, agent: agent)
            try Self.write(value, to: limit, agent: agent)
        } catch {
            throw SupervisorError("agent \(agent): cannot set its memory limit: \(error)")
        }
    }
}
