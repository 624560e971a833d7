import KeelSandbox

/// How `AgentProcess.start` runs an agent.
public enum AgentLaunch: Sendable {
    /// On the host, with the host's file system and identity, set up as `setup` says (its
    /// cgroups, rlimits, no new privileges).
    case host(ProcessSetup)
    /// Inside a sandbox: `spec` decides what it sees (see `StrictIsolation`); its program,
    /// arguments, environment, working directory and standard streams are the ones `start` is
    /// given, and it is not killed with the thread that launched it.
    case sandbox(SandboxSpec, ProcessSetup)

    /// On the host, with nothing set up: how agents ran before isolation.
    public static let plainHost = AgentLaunch.host(ProcessSetup())
}
