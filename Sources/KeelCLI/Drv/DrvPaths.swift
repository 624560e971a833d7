import ArgumentParser
import KeelFormats

/// `keel drv paths FILE.drv`: the derivation's own store path and its output paths.
struct DrvPaths: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Print a derivation's own store path, then `OUTPUT PATH` for each output.",
        discussion: """
            Paths are computed as Nix computes them: the .drv is a text path over its bytes \
            referring to its inputs; input-addressed outputs hash the derivation modulo its \
            fixed-output inputs, which are read from their paths in the store directory; fixed \
            outputs follow from their declared hash. Outputs are listed by name. When a path \
            written in the file differs from the computed one, the command fails and says so.
            """
    )

    @Argument(help: "The .drv file.")
    var file: String

    @Option(help: "The store directory (default: the file's directory if it is a store path, else /nix/store).")
    var storeDir: String?

    func run() throws {
        let derivation = try DerivationFile.load(file)
        let directory = try DerivationFile.storeDirectory(option: storeDir, file: file)
        var hasher = DerivationFile.hasher(storeDirectory: directory)
        do {
            let own = try hasher.derivationPath(derivation)
            let outputs = try hasher.verifyOutputPaths(derivation)
            print(directory.fullPath(own))
            for name in derivation.outputNames {
                print("\(name) \(directory.fullPath(outputs[name]!))")
            }
        } catch let error as DerivationError {
            throw CLIError("\(file): \(error)")
        }
    }
}
