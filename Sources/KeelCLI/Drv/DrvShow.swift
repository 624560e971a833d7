import ArgumentParser
import KeelFormats

/// `keel drv show FILE.drv`: the derivation as JSON.
struct DrvShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a derivation as JSON (the shape of `nix show-derivation`).",
        discussion: """
            The JSON object is keyed by the derivation's store path (computed over the file's \
            bytes, named after the file; the file's own path when it cannot be) and holds outputs (path, and hashAlgo and hash for fixed \
            outputs), inputSrcs, inputDrvs, system, builder, args and env. Bytes that are not \
            valid UTF-8 are shown as U+FFFD. A derivation that cannot be built as written (no \
            outputs, an invalid output name, a malformed fixed output, a built-in builder without \
            what it needs, __json that is not a JSON object) is refused, in Nix's words where Nix \
            has them.
            """
    )

    @Argument(help: "The .drv file.")
    var file: String

    @Option(help: "The store directory the derivation belongs to (default: the file's, else /nix/store).")
    var storeDir: String?

    func run() throws {
        let loaded = try DerivationFile.load(file)
        let directory = try DerivationFile.storeDirectory(option: storeDir, file: file)
        let hasher = DerivationFile.hasher(storeDirectory: directory)
        let name = try? DerivationFile.name(of: file)
        let path = name.flatMap { try? hasher.derivationPath(loaded.derivation, name: $0, contents: loaded.bytes) }
        let key = path.map(directory.fullPath) ?? file
        print(JSONValue.object([(key, Self.json(loaded.derivation))]).rendered())
    }

    /// The JSON form of a derivation.
    static func json(_ derivation: Derivation) -> JSONValue {
        let outputs: [(String, JSONValue)] = derivation.outputNames.map { name in
            let output = derivation.outputs[name] ?? Derivation.Output(path: "")
            var fields: [(String, JSONValue)] = [("path", .string(output.path))]
            if !output.hashAlgorithm.isEmpty { fields.append(("hashAlgo", .string(output.hashAlgorithm))) }
            if !output.hash.isEmpty { fields.append(("hash", .string(output.hash))) }
            return (name, .object(fields))
        }
        let sorted = { (strings: [String]) in strings.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
        let inputs: [(String, JSONValue)] = sorted(Array(derivation.inputDerivations.keys)).map { path in
            (path, .array(sorted(Array(derivation.inputDerivations[path] ?? [])).map(JSONValue.string)))
        }
        let environment: [(String, JSONValue)] = derivation.environment.keys.sorted().map { key in
            (key.description, .string(derivation.environment[key]?.description ?? ""))
        }
        return .object([
            ("outputs", .object(outputs)),
            ("inputSrcs", .array(sorted(Array(derivation.inputSources)).map(JSONValue.string))),
            ("inputDrvs", .object(inputs)),
            ("system", .string(derivation.platform)),
            ("builder", .string(derivation.builder.description)),
            ("args", .array(derivation.arguments.map { .string($0.description) })),
            ("env", .object(environment)),
        ])
    }
}
