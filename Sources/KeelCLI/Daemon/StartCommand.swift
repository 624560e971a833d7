import ArgumentParser

/// `keel start AGENT`: asks the running daemon to start an agent.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start an agent of the current generation that is stopped.",
        discussion: "Prints the agent's state afterwards. Exit status 1 when no daemon is running."
    )

    @OptionGroup var target: AgentTargetOptions

    func run() throws { try target.run(.start) }
}
