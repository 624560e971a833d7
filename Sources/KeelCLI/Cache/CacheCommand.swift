import ArgumentParser

/// `keel cache`: Nix binary caches, written and served.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Write and serve Nix binary caches (narinfo + NAR, signed).",
        subcommands: [CachePush.self, CacheServe.self]
    )
}
