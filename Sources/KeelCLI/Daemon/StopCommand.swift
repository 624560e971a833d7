import ArgumentParser

/// `keel stop AGENT`: asks the running daemon to stop an agent.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop an agent (SIGTERM, then SIGKILL after its stop timeout); it stays stopped.",
        discussion: "Prints the agent's state afterwards. Exit status 1 when no daemon is running."
    )

    @OptionGroup var target: AgentTargetOptions

    func run() throws { try target.run(.stop) }
}
