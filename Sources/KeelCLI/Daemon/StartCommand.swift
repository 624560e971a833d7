import ArgumentParser

/// `keel start AGENT`: asks the running daemon to start an agent.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start an agent of the current generation that is stopped.",
        discussion: "Prints the agent's state afterwards. Exit status 1 when no daemon is running."
    )

    @OptionGroup var options: DaemonRootOptions

    @Flag(help: "Print the agent's status as JSON.")
    var json = false

    @Argument(help: "The agent's name in keel.toml.")
    var agent: String

    func run() throws { try AgentAction.start.run(agent: agent, paths: options.paths, json: json) }
}
