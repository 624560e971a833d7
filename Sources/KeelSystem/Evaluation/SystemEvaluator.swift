import KeelConfig
import KeelFileTree
import KeelFormats
import KeelLinux

/// Turns a validated configuration and its locked inputs into a `SystemPlan`: every package's
/// store path (hashing source trees, computing derivation and fixed-output paths as Nix does),
/// the resolved agents and the system path. Builds and writes nothing.
public struct SystemEvaluator {
    /// The configuration.
    public let configuration: HostConfiguration
    /// Its locked inputs (`LockVerifier`).
    public let inputs: LockedInputs
    /// The store directory paths are computed for.
    public let storeDirectory: StoreDirectory

    /// An evaluator of `configuration` for `storeDirectory`.
    public init(configuration: HostConfiguration, inputs: LockedInputs, storeDirectory: StoreDirectory) {
        self.configuration = configuration
        self.inputs = inputs
        self.storeDirectory = storeDirectory
    }

    private var computer: StorePathComputer { StorePathComputer(storeDirectory: storeDirectory) }

    /// Evaluates the whole system.
    public func evaluate() throws(EvaluationError) -> SystemPlan {
        var plans: [String: PackagePlan] = [:]
        var ordered: [PackagePlan] = []
        var derivations: [String: Derivation] = [:]
        for package in dependencyOrder() {
            let plan = try self.plan(package, built: plans, derivations: &derivations)
            plans[package.name] = plan
            ordered.append(plan)
        }
        let manifest = AgentResolver(configuration: configuration, inputs: inputs, storeDirectory: storeDirectory)
            .manifest(packages: plans)
        let references = Set(ordered.map(\.path)).sorted()
        let nar = SystemTree.nar(
            manifest: manifest.encoded(), packages: plans.mapValues { storeDirectory.fullPath($0.path) })
        let systemPath: StorePath
        do {
            systemPath = try computer.sourcePath(
                narHash: StreamingHasher.hash(.sha256, nar), name: "keel-system-\(configuration.host.name)",
                references: references)
        } catch {
            throw EvaluationError("cannot name the system path: \(error)")
        }
        return SystemPlan(
            packages: ordered, manifest: manifest, systemPath: systemPath, systemNAR: nar, references: references)
    }

    /// The packages, each after those it uses (inputs and `${packages.…}`), ties by name.
    func dependencyOrder() -> [PackageSpec] {
        var done: Set<String> = []
        var result: [PackageSpec] = []
        func visit(_ package: PackageSpec) {
            guard done.insert(package.name).inserted else { return }
            for name in Self.uses(package) { if let input = configuration.package(name) { visit(input) } }
            result.append(package)
        }
        for package in configuration.packages { visit(package) }
        return result
    }

    /// The packages a package is built from: its inputs and every `${packages.…}` it names.
    static func uses(_ package: PackageSpec) -> [String] {
        guard case .derivation(let spec) = package.kind else { return [] }
        var names = spec.inputs.map(\.value)
        for string in [spec.builder] + spec.arguments + spec.environment.map(\.value) {
            names += ((try? PackageReference.occurrences(in: string.value)) ?? []).map(\.name)
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    private func plan(_ package: PackageSpec, built: [String: PackagePlan], derivations: inout [String: Derivation])
        throws(EvaluationError) -> PackagePlan
    {
        let name = package.name
        switch package.kind {
        case .source(let source):
            let hash: NixHash
            do { hash = try SourceHashing.hash(source.resolvedPath) } catch {
                throw EvaluationError("package '\(name)': cannot read '\(source.path.value)': \(error)")
            }
            return PackagePlan(
                name: name,
                path: try named(name) { () throws(StorePathError) in try computer.sourcePath(narHash: hash, name: name)
                },
                recipe: .source(directory: source.resolvedPath))
        case .fetch(let fetch):
            guard let locked = inputs.fetches[name] else { throw EvaluationError("package '\(name)' is not locked") }
            let archiveName = fetch.unpack ? name + "-archive" : name
            let narHash = locked.narHash.flatMap { try? NixHash(parsing: $0) }
            if fetch.needsNARHash, narHash == nil {
                throw EvaluationError("package '\(name)': keel.lock has no nar_hash for it; run keel lock")
            }
            let archive = try fetchDerivation(
                archiveName, url: fetch.url.value, hash: locked.hash,
                executableNARHash: fetch.executable ? narHash : nil)
            derivations[storeDirectory.fullPath(archive.drvPath)] = archive.derivation
            guard fetch.unpack, let narHash else {
                return PackagePlan(name: name, path: archive.output, recipe: .derivation(archive))
            }
            return PackagePlan(
                name: name,
                path: try named(name) { () throws(StorePathError) in
                    try computer.sourcePath(narHash: narHash, name: name)
                },
                recipe: .unpackedFetch(archive: archive))
        case .derivation(let spec):
            let plan = try derivation(package, spec, built: built, derivations: derivations)
            derivations[storeDirectory.fullPath(plan.drvPath)] = plan.derivation
            return PackagePlan(name: name, path: plan.output, recipe: .derivation(plan))
        case .nixDerivation(let spec):
            return try nixDerivation(name, spec, derivations: &derivations)
        case .debian, .python:
            return try runtime(package, derivations: &derivations)
        }
    }

    /// A `builtin:fetchurl` derivation as Nix's `<nix/fetchurl.nix>` makes it: a flat sha256
    /// output, or for an executable download a recursive one over the file's NAR.
    private func fetchDerivation(_ name: String, url: String, hash: String, executableNARHash: NixHash?)
        throws(EvaluationError) -> DerivationPlan
    {
        guard let fileHash = try? NixHash(parsing: hash) else {
            throw EvaluationError("package '\(name)': invalid hash \(hash)")
        }
        let method: ContentAddressMethod = executableNARHash == nil ? .flat : .recursive
        let outputHash = executableNARHash ?? fileHash
        let output = try named(name) { () throws(StorePathError) in
            try computer.fixedOutputPath(method: method, hash: outputHash, name: name)
        }
        let outputPath = storeDirectory.fullPath(output)
        var environment: [ByteString: ByteString] = [
            "builder": "builtin:fetchurl", "name": ByteString(name), "out": ByteString(outputPath),
            "outputHash": ByteString(outputHash.sri), "outputHashAlgo": "sha256",
            "outputHashMode": executableNARHash == nil ? "flat" : "recursive", "preferLocalBuild": "1",
            "system": "builtin", "url": ByteString(url),
        ]
        if executableNARHash != nil { environment["executable"] = "1" }
        let algorithm = executableNARHash == nil ? "sha256" : "r:sha256"
        let derivation = Derivation(
            outputs: ["out": .init(path: outputPath, hashAlgorithm: algorithm, hash: outputHash.base16)],
            inputDerivations: [:],
            inputSources: [], platform: "builtin", builder: "builtin:fetchurl", arguments: [], environment: environment)
        return try finish(derivation, name: name, output: output)
    }

    /// The derivation a `builder` package declares, its output path computed as Nix does.
    private func derivation(
        _ package: PackageSpec, _ spec: DerivationSpec, built: [String: PackagePlan], derivations: [String: Derivation]
    ) throws(EvaluationError) -> DerivationPlan {
        let name = package.name
        let expand = { (text: String) in
            PackageReference.expand(text) { built[$0].map { storeDirectory.fullPath($0.path) } }
        }
        var inputDerivations: [String: Set<String>] = [:]
        var inputSources: Set<String> = []
        for input in Self.uses(package) {
            guard let plan = built[input] else {
                throw EvaluationError("package '\(name)': input '\(input)' is unknown")
            }
            switch plan.recipe {
            case .source, .unpackedFetch: inputSources.insert(storeDirectory.fullPath(plan.path))
            case .derivation(let made):
                inputDerivations[storeDirectory.fullPath(made.drvPath), default: []].insert("out")
            case .runtime(let runtime):
                inputDerivations[storeDirectory.fullPath(runtime.environment.drvPath), default: []].insert("out")
            case .nixDerivation(_, let drvPath, let output):
                inputDerivations[storeDirectory.fullPath(drvPath), default: []].insert(output)
            }
        }
        let system = spec.system ?? configuration.host.system
        var environment: [ByteString: ByteString] = [:]
        for (key, value) in spec.environment { environment[ByteString(key)] = ByteString(expand(value.value)) }
        let builder = expand(spec.builder.value)
        environment["builder"] = ByteString(builder)
        environment["name"] = ByteString(name)
        environment["system"] = ByteString(system)
        environment["out"] = ""
        let derivation = Derivation(
            outputs: ["out": .init(path: "")], inputDerivations: inputDerivations, inputSources: inputSources,
            platform: system, builder: ByteString(builder),
            arguments: spec.arguments.map { ByteString(expand($0.value)) },
            environment: environment)
        return try inputAddressed(derivation, name: name, derivations: derivations)
    }

    /// Fills in the `out` path of `derivation` (its output and `out` variable empty), computed
    /// as Nix does from the derivation and its inputs, and finishes it.
    func inputAddressed(_ derivation: Derivation, name: String, derivations: [String: Derivation])
        throws(EvaluationError) -> DerivationPlan
    {
        var derivation = derivation
        var hasher = DerivationHasher(storeDirectory: storeDirectory) { path in
            if let known = derivations[path] { return known }
            return try ATermParser.parse(try FileSystem.readWholeFile(path))
        }
        let output: StorePath
        do {
            guard let computed = try hasher.outputPaths(derivation, name: name)["out"] else {
                throw EvaluationError("package '\(name)': no output path")
            }
            output = computed
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw EvaluationError("package '\(name)': \(error)")
        }
        derivation.outputs["out"] = .init(path: storeDirectory.fullPath(output))
        derivation.environment["out"] = ByteString(storeDirectory.fullPath(output))
        return try finish(derivation, name: name, output: output)
    }

    /// The `.drv` store path and references of a finished derivation.
    func finish(_ derivation: Derivation, name: String, output: StorePath) throws(EvaluationError)
        -> DerivationPlan
    {
        let text = ATermPrinter.print(derivation)
        let hasher = DerivationHasher(storeDirectory: storeDirectory) { path in
            throw EvaluationError("unexpected load of \(path)")
        }
        let drvPath: StorePath
        do { drvPath = try hasher.derivationPath(derivation, name: name, contents: text) } catch {
            throw EvaluationError("package '\(name)': \(error)")
        }
        var references: [StorePath] = []
        for path in derivation.inputSources.union(derivation.inputDerivations.keys) {
            if let parsed = try? storeDirectory.parse(path) { references.append(parsed) }
        }
        return DerivationPlan(
            derivation: derivation, name: name, drvPath: drvPath, text: text, output: output,
            references: references.sorted())
    }

    /// A `.drv` file made by Nix: its store path and the output the package stands for.
    private func nixDerivation(_ name: String, _ spec: NixDerivationSpec, derivations: inout [String: Derivation])
        throws(EvaluationError) -> PackagePlan
    {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readWholeFile(spec.resolvedPath) } catch {
            throw EvaluationError("package '\(name)': cannot read '\(spec.path.value)': \(error.reason)")
        }
        let derivation: Derivation
        let drvName: String
        do {
            derivation = try Derivation(parsing: bytes)
            drvName = try Derivation.name(fromFileName: String(spec.resolvedPath.split(separator: "/").last ?? ""))
        } catch {
            throw EvaluationError("package '\(name)': '\(spec.path.value)' is not a valid derivation: \(error)")
        }
        guard let written = derivation.outputs[spec.output]?.path, !written.isEmpty else {
            throw EvaluationError(
                "package '\(name)': '\(spec.path.value)' has no output '\(spec.output)' with a known path")
        }
        let output: StorePath
        do { output = try storeDirectory.parse(written) } catch {
            throw EvaluationError(
                "package '\(name)': '\(spec.path.value)' was made for another store directory ('\(written)' is not "
                    + "in '\(storeDirectory.path)'); instantiate it with NIX_STORE_DIR=\(storeDirectory.path)")
        }
        let hasher = DerivationHasher(storeDirectory: storeDirectory) { path in
            throw EvaluationError("unexpected load of \(path)")
        }
        let drvPath: StorePath
        do { drvPath = try hasher.derivationPath(derivation, name: drvName, contents: bytes) } catch {
            throw EvaluationError("package '\(name)': \(error)")
        }
        derivations[storeDirectory.fullPath(drvPath)] = derivation
        let slash = spec.resolvedPath.lastIndex(of: "/") ?? spec.resolvedPath.endIndex
        let directory = String(spec.resolvedPath[..<slash])
        try loadInputs(of: derivation, besides: directory, package: name, file: spec.path.value, into: &derivations)
        return PackagePlan(
            name: name, path: output,
            recipe: .nixDerivation(file: spec.resolvedPath, drvPath: drvPath, output: spec.output))
    }

    /// Reads the input derivations of a Nix `.drv` (and theirs, recursively) into `derivations`:
    /// from the store when there, else from `directory`, beside the file, where nix-instantiate
    /// wrote them and where `keel switch` imports them from. A derivation that uses the package
    /// is hashed through them before anything is imported.
    private func loadInputs(
        of derivation: Derivation, besides directory: String, package name: String, file: String,
        into derivations: inout [String: Derivation]
    ) throws(EvaluationError) {
        var pending = Array(derivation.inputDerivations.keys)
        while let path = pending.popLast() {
            guard derivations[path] == nil else { continue }
            let beside = directory + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
            var found: (location: String, bytes: [UInt8])?
            for candidate in [path, beside] where found == nil {
                if let bytes = try? FileSystem.readWholeFile(candidate) { found = (candidate, bytes) }
            }
            guard let (location, bytes) = found else {
                throw EvaluationError(
                    "package '\(name)': '\(file)' needs the derivation '\(path)', which is neither there nor at '\(beside)'"
                )
            }
            let input: Derivation
            do { input = try Derivation(parsing: bytes) } catch {
                throw EvaluationError("package '\(name)': '\(location)' is not a valid derivation: \(error)")
            }
            derivations[path] = input
            pending += input.inputDerivations.keys
        }
    }

    func named(_ name: String, _ body: () throws(StorePathError) -> StorePath) throws(EvaluationError)
        -> StorePath
    {
        do { return try body() } catch { throw EvaluationError("package '\(name)': \(error)") }
    }
}
