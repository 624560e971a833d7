import ArgumentParser

/// What `keel start|stop|restart AGENT` take: `--root`, `--json` and the agent's name.
struct AgentTargetOptions: ParsableArguments {
    @OptionGroup var options: DaemonRootOptions

    @Flag(help: "Print the agent's status as JSON.")
    var json = false

    @Argument(help: "The agent's name in keel.toml.")
    var agent: String

    /// Asks the daemon to do `action` to the agent and prints the agent's state.
    func run(_ action: AgentAction) throws { try action.run(agent: agent, paths: options.paths, json: json) }
}
