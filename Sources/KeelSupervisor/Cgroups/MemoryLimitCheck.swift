import KeelLinux

/// A memory limit without a memory cgroup: the resident memory of the agent's whole tree,
/// checked when the caller asks (at its health-check or watchdog cadence; this runs no timer).
///
/// Weaker than a cgroup: memory is sampled rather than capped, shared pages count once per
/// process, and a spike between two checks goes unseen. The caller reports a breach as a memory
/// limit breach and stops the agent.
public enum MemoryLimitCheck {
    /// The summed resident set size, in bytes, of the agent and its descendants now.
    ///
    /// - Throws: `SupervisorError` when `/proc` cannot be read.
    public static func residentBytes(of agent: AgentProcess) throws(SupervisorError) -> UInt64 {
        let pids = [agent.pid] + (try agent.descendants().map(\.pid))
        return pids.reduce(0) { $0 + (ProcessMemory.residentBytes(of: $1) ?? 0) }
    }

    /// The tree's resident size when it is over `limit` bytes, else `nil`.
    ///
    /// - Throws: `SupervisorError` when `/proc` cannot be read.
    public static func breach(of limit: UInt64, by agent: AgentProcess) throws(SupervisorError) -> UInt64? {
        let resident = try residentBytes(of: agent)
        return resident > limit ? resident : nil
    }
}
