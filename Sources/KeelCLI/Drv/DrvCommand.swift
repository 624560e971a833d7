import ArgumentParser

/// `keel drv`: read Nix derivations (.drv files).
struct DrvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drv",
        abstract: "Read Nix derivations (.drv files in ATerm form).",
        subcommands: [DrvShow.self, DrvPaths.self]
    )
}
