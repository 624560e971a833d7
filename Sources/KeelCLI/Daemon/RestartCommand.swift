import ArgumentParser

/// `keel restart AGENT`: asks the running daemon to restart an agent.
struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop an agent if it runs, then start it.",
        discussion: "Prints the agent's state afterwards. Exit status 1 when no daemon is running."
    )

    @OptionGroup var target: AgentTargetOptions

    func run() throws { try target.run(.restart) }
}
