import ArgumentParser

/// `keel hash`: hash trees the way Nix does.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Hash file-system trees and files the way Nix does.",
        subcommands: []
    )
}
