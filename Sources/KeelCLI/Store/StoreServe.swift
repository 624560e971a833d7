import ArgumentParser

/// `keel store serve --stdio` (being written): the far side of `keel copy` over SSH.
struct StoreServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the store to `keel copy` over stdin/stdout.", shouldDisplay: false)
    func run() throws { throw CLIError("keel store serve: not built yet") }
}
