/// Computes derivation hashes and paths: `hashDerivationModulo`, output paths and the `.drv`'s
/// own path (spec/nix-formats.md §4.3–4.6).
///
/// Input derivations are loaded through `load`, called at most once per `.drv` path; results
/// are memoised, so one hasher computes a whole graph in linear time.
public struct DerivationHasher {
    /// The store directory the paths belong to.
    public let storeDirectory: StoreDirectory
    private let load: (String) throws -> Derivation
    private var memo: [String: [String: NixHash]] = [:]

    /// Makes a hasher reading input derivations with `load` (given a full `.drv` path).
    public init(storeDirectory: StoreDirectory, load: @escaping (String) throws -> Derivation) {
        self.storeDirectory = storeDirectory
        self.load = load
    }

    private var computer: StorePathComputer { StorePathComputer(storeDirectory: storeDirectory) }

    /// The hash of `derivation` modulo fixed outputs, per output name.
    ///
    /// - Parameter maskOutputs: blank the output paths (true only for the derivation whose
    ///   outputs are being computed).
    public mutating func hashModulo(_ derivation: Derivation, maskOutputs: Bool) throws -> [String: NixHash] {
        if derivation.isFixedOutput {
            let output = derivation.outputs["out"]!
            let text = "fixed:out:\(output.hashAlgorithm):\(output.hash):\(output.path)"
            return ["out": StreamingHasher.hash(.sha256, text.utf8)]
        }
        var replaced: [String: Set<String>] = [:]
        for (path, wanted) in derivation.inputDerivations {
            let hashes = try inputHashes(path)
            for output in wanted {
                guard let hash = hashes[output] else {
                    throw DerivationError.missingInputOutput(derivation: path, output: output)
                }
                replaced[hash.base16, default: []].insert(output)
            }
        }
        let text = ATermPrinter.print(derivation, inputs: replaced, maskOutputs: maskOutputs)
        let hash = StreamingHasher.hash(.sha256, text)
        return Dictionary(uniqueKeysWithValues: derivation.outputs.keys.map { ($0, hash) })
    }

    private mutating func inputHashes(_ path: String) throws -> [String: NixHash] {
        if let known = memo[path] { return known }
        let input: Derivation
        do {
            input = try load(path)
        } catch let error as DerivationError {
            throw error
        } catch {
            throw DerivationError.inputUnavailable(path, reason: "\(error)")
        }
        let hashes = try hashModulo(input, maskOutputs: false)
        memo[path] = hashes
        return hashes
    }

    /// The output paths `derivation` should have, by output name.
    ///
    /// Input-addressed outputs hash the masked derivation; fixed outputs use their declared
    /// content address.
    public mutating func outputPaths(_ derivation: Derivation) throws -> [String: StorePath] {
        guard let name = derivation.name else { throw DerivationError.invalidName(nil) }
        var paths: [String: StorePath] = [:]
        if derivation.isFixedOutput {
            let address = try derivation.outputs["out"]!.fixedContentAddress()
            do { paths["out"] = try computer.path(for: address, name: name) } catch {
                throw DerivationError.invalidName(name)
            }
            return paths
        }
        let hashes = try hashModulo(derivation, maskOutputs: true)
        for (output, hash) in hashes {
            do {
                paths[output] = try computer.outputPath(outputName: output, hashModulo: hash, derivationName: name)
            } catch {
                throw DerivationError.invalidName(name)
            }
        }
        return paths
    }

    /// Checks that every output path written in `derivation` is the one it should have.
    ///
    /// - Returns: the output paths, by output name.
    @discardableResult
    public mutating func verifyOutputPaths(_ derivation: Derivation) throws -> [String: StorePath] {
        let paths = try outputPaths(derivation)
        for (output, path) in paths {
            let written = derivation.outputs[output]!.path
            let computed = storeDirectory.fullPath(path)
            guard written == computed else {
                throw DerivationError.wrongOutputPath(output: output, written: written, computed: computed)
            }
        }
        return paths
    }

    /// The `.drv`'s own store path: a text path over its ATerm bytes, referring to its input
    /// sources and input derivations.
    public func derivationPath(_ derivation: Derivation) throws(DerivationError) -> StorePath {
        guard let name = derivation.name else { throw .invalidName(nil) }
        var references: [StorePath] = []
        for path in derivation.inputSources.union(derivation.inputDerivations.keys) {
            do { references.append(try storeDirectory.parse(path)) } catch { throw .invalidPath(path, error) }
        }
        let contents = ATermPrinter.print(derivation)
        do {
            return try computer.textPath(
                contentHash: StreamingHasher.hash(.sha256, contents), name: name + ".drv", references: references)
        } catch {
            throw .invalidName(name)
        }
    }
}
