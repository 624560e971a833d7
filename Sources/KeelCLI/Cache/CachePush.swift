import ArgumentParser

/// `keel cache push` (being written).
struct CachePush: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Write closures to a binary cache.")
    func run() throws { throw CLIError("keel cache push: not built yet") }
}
