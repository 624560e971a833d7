import KeelConfig
import KeelFormats
import KeelRuntime

extension SystemEvaluator {
    /// A runtime package's plan: every path from keel.lock's pins (`RuntimePlan`).
    func runtime(_ package: PackageSpec, derivations: inout [String: Derivation]) throws(EvaluationError)
        -> PackagePlan
    {
        let name = package.name
        guard let locked = inputs.runtimes[name] else { throw EvaluationError("package '\(name)' is not locked") }
        var debs = locked.debs
        var pythonVersion: String?
        if case .python(let python) = package.kind {
            guard let interpreter = inputs.runtimes[python.interpreter.value] else {
                throw EvaluationError("package '\(name)': its interpreter '\(python.interpreter.value)' is not locked")
            }
            debs = interpreter.debs
            pythonVersion = Self.pythonVersion(of: interpreter.debs)
            if pythonVersion == nil {
                throw EvaluationError(
                    "package '\(name)': its interpreter '\(python.interpreter.value)' has no python3.X-minimal package; "
                        + "list one (e.g. python3.11-minimal) in its debian packages")
            }
        }
        let leaveOut = debianLeaveOut(of: package)
        var unpacking: [ByteString: ByteString] = ["leave-out": ByteString(DebianDocumentation.rule)]
        // Recorded only when declared, so the paths of runtimes without it stay as they were.
        if !leaveOut.isEmpty { unpacking["leave-out-paths"] = ByteString(leaveOut.recorded) }
        var parts: [RuntimePlan.Part] = []
        for deb in debs.sorted(by: { $0.name < $1.name }) {
            let fileName = RuntimeStoreName.sanitised("\(deb.name)_\(deb.version)_\(deb.architecture).deb")
            let file = try fixedFile(fileName, sha256: deb.sha256, package: name)
            let derivation = try part(
                named: RuntimeStoreName.sanitised("deb-\(deb.name)-\(deb.version)"),
                builder: RuntimePlan.Builder.unpackDeb, file: file, extra: unpacking, derivations: &derivations)
            parts.append(
                RuntimePlan.Part(
                    source: .deb(deb), file: file, sha256: deb.sha256, derivation: derivation, leaveOut: leaveOut))
        }
        if let pythonVersion {
            for wheel in locked.wheels.sorted(by: { $0.name < $1.name }) {
                let file = try fixedFile(RuntimeStoreName.sanitised(wheel.file), sha256: wheel.sha256, package: name)
                let derivation = try part(
                    named: RuntimeStoreName.sanitised("wheel-\(wheel.name)-\(wheel.version)"),
                    builder: RuntimePlan.Builder.installWheel, file: file,
                    extra: [
                        "python": ByteString(pythonVersion),
                        "interpreter": ByteString(RuntimePlan.interpreter(pythonVersion: pythonVersion)),
                    ], derivations: &derivations)
                parts.append(
                    RuntimePlan.Part(source: .wheel(wheel), file: file, sha256: wheel.sha256, derivation: derivation))
            }
        }
        var environment: [ByteString: ByteString] = [
            "builder": ByteString(RuntimePlan.Builder.environment), "name": ByteString(name), "out": "",
            "system": "builtin",
            "parts": ByteString(parts.map { storeDirectory.fullPath($0.derivation.output) }.joined(separator: " ")),
        ]
        if let pythonVersion { environment["python"] = ByteString(pythonVersion) }
        var inputDerivations: [String: Set<String>] = [:]
        for part in parts { inputDerivations[storeDirectory.fullPath(part.derivation.drvPath)] = ["out"] }
        let derivation = Derivation(
            outputs: ["out": .init(path: "")], inputDerivations: inputDerivations, inputSources: [],
            platform: "builtin", builder: ByteString(RuntimePlan.Builder.environment), arguments: [],
            environment: environment)
        let plan = try inputAddressed(derivation, name: name, derivations: derivations)
        derivations[storeDirectory.fullPath(plan.drvPath)] = plan.derivation
        let runtime = RuntimePlan(name: name, parts: parts, pythonVersion: pythonVersion, environment: plan)
        return PackagePlan(name: name, path: plan.output, recipe: .runtime(runtime))
    }

    /// What `package`'s .debs leave out: its own `leave_out` (a Debian runtime) or its
    /// interpreter's (a Python runtime, whose .debs are the interpreter's).
    private func debianLeaveOut(of package: PackageSpec) -> DebianLeaveOut {
        switch package.kind {
        case .debian(let debian):
            return DebianLeaveOut(debian.leaveOut.map(\.value))
        case .python(let python):
            let interpreter = configuration.packages.first { $0.name == python.interpreter.value }
            return interpreter.map(debianLeaveOut(of:)) ?? .none
        default:
            return .none
        }
    }

    /// "3.11" when the .debs hold `python3.11-minimal`.
    static func pythonVersion(of debs: [RuntimeLock.Deb]) -> String? {
        for deb in debs.sorted(by: { $0.name < $1.name }) {
            guard deb.name.hasPrefix("python3."), deb.name.hasSuffix("-minimal") else { continue }
            let version = deb.name.dropFirst("python".count).dropLast("-minimal".count)
            if version.split(separator: ".").count == 2, version.allSatisfy({ $0.isNumber || $0 == "." }) {
                return String(version)
            }
        }
        return nil
    }

    /// The fixed-output path of a pinned file (flat SHA-256), as `nix-store --add-fixed` names it.
    private func fixedFile(_ fileName: String, sha256: String, package: String) throws(EvaluationError) -> StorePath {
        guard let hash = try? NixHash(parsing: "sha256:" + sha256) else {
            throw EvaluationError("package '\(package)': keel.lock's sha256 \(sha256) for \(fileName) is not valid")
        }
        return try named(package) { () throws(StorePathError) in
            try StorePathComputer(storeDirectory: storeDirectory).fixedOutputPath(
                method: .flat, hash: hash, name: fileName)
        }
    }

    /// The derivation unpacking or installing `file`.
    private func part(
        named name: String, builder: String, file: StorePath, extra: [ByteString: ByteString],
        derivations: inout [String: Derivation]
    ) throws(EvaluationError) -> DerivationPlan {
        let source = storeDirectory.fullPath(file)
        var environment: [ByteString: ByteString] = [
            "builder": ByteString(builder), "name": ByteString(name), "out": "", "src": ByteString(source),
            "system": "builtin",
        ]
        environment.merge(extra) { $1 }
        let derivation = Derivation(
            outputs: ["out": .init(path: "")], inputDerivations: [:], inputSources: [source], platform: "builtin",
            builder: ByteString(builder), arguments: [], environment: environment)
        let plan = try inputAddressed(derivation, name: name, derivations: derivations)
        derivations[storeDirectory.fullPath(plan.drvPath)] = plan.derivation
        return plan
    }
}
