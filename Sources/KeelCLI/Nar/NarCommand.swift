import ArgumentParser

/// `keel nar`: write and read Nix archives.
struct NarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nar",
        abstract: "Write a file-system tree as a Nix archive (NAR), or restore one.",
        subcommands: [NarDump.self, NarRestore.self]
    )
}
