import ArgumentParser
import KeelFileTree
import SystemPackage

/// `keel nar dump PATH`: the NAR of a tree on stdout, as `nix-store --dump` writes it.
struct NarDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Write the NAR of a file-system tree to stdout (what `nix-store --dump` writes).",
        discussion: """
            Regular files, executables (owner-execute bit), symlinks (never followed) and \
            directories (entries sorted by name bytes) are archived; fifos, sockets and devices \
            are refused. Contents are streamed: memory use does not grow with file size.
            """
    )

    @Argument(help: "The file, symlink or directory to archive.")
    var path: String

    func run() throws {
        do {
            try TreeDumper.write(path: path, to: .standardOutput)
        } catch let error as FileTreeError {
            throw CLIError(error.description)
        }
    }
}
