import ArgumentParser
import KeelFileTree
import KeelFormats
import KeelLinux

/// `keel hash file FILE...`: the flat hash of each file's contents, as `nix hash file` prints it.
struct HashFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "Print the hash of each file's contents (what `nix hash file` prints).",
        discussion: "Flat hashes are what fixed-output derivations with outputHashMode = \"flat\" declare."
    )

    @OptionGroup var format: HashFormatOptions

    @Argument(help: "The regular files to hash.")
    var files: [String]

    func run() throws {
        for file in files {
            do {
                print(format.render(try FlatFileHasher.hash(path: file, algorithm: format.algorithm)))
            } catch let error as FileTreeError {
                throw CLIError(error.description)
            }
        }
    }
}
