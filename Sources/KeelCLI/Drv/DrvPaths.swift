import ArgumentParser
import KeelFormats

/// `keel drv paths FILE.drv`: the derivation's own store path and its output paths.
struct DrvPaths: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Print a derivation's own store path, then `OUTPUT PATH` for each output.",
        discussion: """
            Paths are computed as Nix computes them, with the derivation's name taken from the \
            file name (HASH-NAME.drv or NAME.drv): the .drv is a text path over its bytes \
            referring to its inputs; input-addressed outputs hash the derivation modulo its \
            fixed-output inputs, which are read from their paths in the store directory; fixed \
            outputs follow from their declared hash. Outputs are listed by name. When a path \
            written in the file (or the variable named after an output) differs from the computed \
            one, or the derivation cannot be built as written, the command fails and says so.
            """
    )

    @Argument(help: "The .drv file.")
    var file: String

    @Option(help: "The store directory (default: the file's directory if it is a store path, else /nix/store).")
    var storeDir: String?

    func run() throws {
        let loaded = try DerivationFile.load(file)
        let name = try DerivationFile.name(of: file)
        let directory = try DerivationFile.storeDirectory(option: storeDir, file: file)
        var hasher = DerivationFile.hasher(storeDirectory: directory)
        var lines: [String] = []
        do {
            let own = try hasher.derivationPath(loaded.derivation, name: name, contents: loaded.bytes)
            let outputs = try hasher.verifyOutputPaths(loaded.derivation, name: name)
            lines.append(directory.fullPath(own))
            for output in loaded.derivation.outputNames {
                guard let path = outputs[output] else { continue }
                lines.append("\(output) \(directory.fullPath(path))")
            }
        } catch let error as DerivationError {
            throw CLIError("\(file): \(error)")
        }
        for line in lines { print(line) }
    }
}
