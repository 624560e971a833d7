import ArgumentParser

/// `keel restart AGENT`: asks the running daemon to restart an agent.
struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop an agent if it runs, then start it.",
        discussion: "Prints the agent's state afterwards. Exit status 1 when no daemon is running."
    )

    @OptionGroup var options: DaemonRootOptions

    @Flag(help: "Print the agent's status as JSON.")
    var json = false

    @Argument(help: "The agent's name in keel.toml.")
    var agent: String

    func run() throws { try AgentAction.restart.run(agent: agent, paths: options.paths, json: json) }
}
