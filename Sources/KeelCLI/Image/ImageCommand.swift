import ArgumentParser

/// `keel image`: OCI images from the store.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build OCI images of store paths and agents, layered and reproducible.",
        subcommands: [ImageBuild.self]
    )
}
