import ArgumentParser
import KeelFileTree

/// `keel hash path PATH...`: the hash of each tree's NAR, as `nix hash path` prints it.
struct HashPath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path",
        abstract: "Print the hash of the NAR of each path (what `nix hash path` prints).",
        discussion: """
            The default output is SRI (sha256-…); --base32 and --base16 print the bare digest \
            as nix does. Reading and hashing overlap on two threads; memory use is constant.
            """
    )

    @OptionGroup var format: HashFormatOptions

    @Argument(help: "The files, symlinks or directories to hash.")
    var paths: [String]

    func run() throws {
        for path in paths {
            do {
                let (hash, _) = try TreeDumper.hash(path: path, algorithm: format.algorithm)
                print(format.render(hash))
            } catch let error as FileTreeError {
                throw CLIError(error.description)
            }
        }
    }
}
