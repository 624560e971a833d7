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
        if derivation.isFixedOutput, let output = derivation.outputs["out"] {
            let address = try output.fixedContentAddress()
            let method = address.method == .recursive ? "r:" : ""
            let text = "fixed:out:\(method)\(address.hash.algorithm.name):\(address.hash.base16):\(output.path)"
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

    /// The output paths `derivation`, named `name`, should have, by output name.
    ///
    /// Input-addressed outputs hash the masked derivation; fixed outputs use their declared
    /// content address.
    /// - Parameter name: the derivation's name, taken from its `.drv` path or file name
    ///   (`Derivation.name(of:)`), never from its environment.
    public mutating func outputPaths(_ derivation: Derivation, name: String) throws -> [String: StorePath] {
        var paths: [String: StorePath] = [:]
        if derivation.isFixedOutput, let output = derivation.outputs["out"] {
            let address = try output.fixedContentAddress()
            do { paths["out"] = try computer.path(for: address, name: name) } catch {
                throw DerivationError.invalidName(name, error)
            }
            return paths
        }
        let hashes = try hashModulo(derivation, maskOutputs: true)
        for (output, hash) in hashes {
            do {
                paths[output] = try computer.outputPath(outputName: output, hashModulo: hash, derivationName: name)
            } catch {
                throw DerivationError.invalidName(output == "out" ? name : "\(name)-\(output)", error)
            }
        }
        return paths
    }

    /// Checks that every output path written in `derivation` (named `name`), and the
    /// environment variable named after each output, is the path it should have.
    ///
    /// - Returns: the output paths, by output name.
    @discardableResult
    public mutating func verifyOutputPaths(_ derivation: Derivation, name: String) throws -> [String: StorePath] {
        let paths = try outputPaths(derivation, name: name)
        for output in derivation.outputNames {
            guard let path = paths[output], let written = derivation.outputs[output]?.path else { continue }
            let computed = storeDirectory.fullPath(path)
            guard written == computed else {
                throw DerivationError.wrongOutputPath(output: output, written: written, computed: computed)
            }
            guard derivation.environment[ByteString(output)] == ByteString(computed) else {
                throw DerivationError.wrongOutputVariable(output: output, computed: computed)
            }
        }
        return paths
    }

    /// The `.drv`'s own store path: a text path named `NAME.drv` over its bytes, referring to its
    /// input sources and input derivations.
    ///
    /// - Parameters:
    ///   - name: the derivation's name (`Derivation.name(of:)`).
    ///   - contents: the `.drv` bytes as they are stored, when they may differ from what
    ///     `ATermPrinter` prints (Nix 2.8 parses input derivations in any order); by default the
    ///     printed form.
    public func derivationPath(_ derivation: Derivation, name: String, contents: [UInt8]? = nil)
        throws(DerivationError) -> StorePath
    {
        var references: [StorePath] = []
        for path in derivation.inputSources.union(derivation.inputDerivations.keys) {
            do { references.append(try storeDirectory.parse(path)) } catch { throw .invalidPath(path, error) }
        }
        let bytes = contents ?? ATermPrinter.print(derivation)
        do {
            return try computer.textPath(
                contentHash: StreamingHasher.hash(.sha256, bytes), name: name + ".drv", references: references)
        } catch {
            throw .invalidName(name, error)
        }
    }
}
