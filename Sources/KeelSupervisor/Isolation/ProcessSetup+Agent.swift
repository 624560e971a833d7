import KeelSandbox
import KeelSystem

extension ProcessSetup {
    /// The setup for one start of an agent: into its cgroup (when it has one), `open_files` as
    /// `RLIMIT_NOFILE`, and `pids` as `RLIMIT_NPROC` where no pids cgroup enforces it (a weak
    /// stand-in: it counts every process of the agent's user and does not bind root).
    public static func agent(
        limits: SystemManifest.Limits, cgroup: AgentCgroup?, noNewPrivileges: Bool = false
    ) -> ProcessSetup {
        var resourceLimits: [ResourceLimit] = []
        if let openFiles = limits.openFiles { resourceLimits.append(.init(.openFiles, UInt64(max(0, openFiles)))) }
        if let pids = limits.pids, cgroup?.directories[.pids] == nil {
            resourceLimits.append(.init(.processes, UInt64(max(0, pids))))
        }
        return ProcessSetup(
            cgroupProcsFiles: cgroup?.procsFiles ?? [], resourceLimits: resourceLimits, noNewPrivileges: noNewPrivileges
        )
    }
}
