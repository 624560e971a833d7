import ArgumentParser

/// `keel cache serve` (being written).
struct CacheServe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve a binary cache over HTTP.")
    func run() throws { throw CLIError("keel cache serve: not built yet") }
}
