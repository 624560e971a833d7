import KeelLinux
import KeelSystem

/// How one start of an agent runs: its program resolved to a path, its whole environment, its
/// working directory (created; an ephemeral state is emptied at the first start in a generation).
struct AgentLaunchPlan {
    let arguments: [String]
    var environment: [String: String]
    let workingDirectory: String
    /// Whether it needs a notify socket (`ready = "notify"` or a watchdog).
    let needsNotifySocket: Bool

    /// - Parameter freshState: whether an ephemeral state directory is emptied first (the
    ///   first start in a generation).
    init(name: String, agent: SystemManifest.Agent, paths: SupervisorPaths, freshState: Bool) throws(SupervisorError) {
        guard let program = agent.command.first, !program.isEmpty else {
            throw SupervisorError("agent \(name): its command is empty")
        }
        var environment = agent.env
        let state = paths.stateDirectory(name)
        let runtime = paths.runtimeDirectory(name)
        do throws(SystemError) {
            if agent.state == "ephemeral" && freshState {
                // ROOT/state/NAME is the supervisor's own directory for this agent.
                try? FileSystem.removeTree(Array(state.utf8))
            }
            // The parents are traversable (an agent with a `user` reaches its own directory
            // through them); each agent's directory is closed to others.
            try FileSystem.makeDirectories(paths.root + "/state", permissions: 0o755)
            try FileSystem.makeDirectories(paths.runtimeDirectories, permissions: 0o755)
            try FileSystem.makeDirectories(state, permissions: 0o750)
            try FileSystem.makeDirectories(runtime, permissions: 0o750)
        } catch {
            throw SupervisorError("agent \(name): cannot prepare its directories: \(error)")
        }
        let executable = try AgentProgram.resolve(
            program, searchPath: environment["PATH"], agent: name, inside: agent.runtime)
        arguments = [executable] + agent.command.dropFirst()
        environment["KEEL_AGENT"] = name
        environment["KEEL_STATE_DIR"] = state
        environment["KEEL_RUNTIME_DIR"] = runtime
        if environment["HOME"] == nil { environment["HOME"] = state }
        if let watchdog = agent.watchdogMs, watchdog > 0 {
            environment["WATCHDOG_USEC"] = String(watchdog * 1000)
        }
        self.environment = environment
        workingDirectory = agent.workingDir ?? state
        needsNotifySocket = agent.ready == "notify" || (agent.watchdogMs ?? 0) > 0
    }
}
