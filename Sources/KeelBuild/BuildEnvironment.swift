import KeelFormats

/// The environment a builder gets, as Nix gives it: the derivation's own variables, then Nix's
/// fixed ones. Nothing of the caller's environment leaks in, except the variables a fixed-output
/// derivation names in `impureEnvVars`.
struct BuildEnvironment {
    /// Where the build directory appears inside the sandbox.
    static let buildTop = "/build"

    /// The variables.
    private(set) var variables: [String: String] = [:]
    /// Files to create in the build directory before the builder starts (`passAsFile`): name
    /// and contents.
    private(set) var files: [(name: String, contents: [UInt8])] = []

    /// The environment for building `derivation`, whose outputs are `outputs`, in store
    /// directory `storeDirectory` with `cores` cores; `callerEnvironment` supplies the impure
    /// variables of fixed-output derivations.
    init(
        derivation: Derivation, outputs: [String: String], storeDirectory: StoreDirectory, cores: Int,
        callerEnvironment: [String: String]
    ) {
        let passedAsFile = Set(
            (derivation.environment["passAsFile"]?.description ?? "").split(whereSeparator: \.isWhitespace).map(
                String.init))
        for (key, value) in derivation.environment {
            let name = key.description
            if passedAsFile.contains(name) {
                let fileName = ".attr-" + StreamingHasher.hash(.sha256, Array(name.utf8)).encoded(.nixBase32)
                files.append((fileName, value.bytes))
                variables[name + "Path"] = Self.buildTop + "/" + fileName
            } else {
                variables[name] = value.description
            }
        }
        variables["HOME"] = "/homeless-shelter"
        variables["PATH"] = "/path-not-set"
        variables["NIX_STORE"] = storeDirectory.path
        variables["NIX_BUILD_CORES"] = String(cores)
        for name in ["NIX_BUILD_TOP", "TMPDIR", "TEMPDIR", "TMP", "TEMP", "PWD"] { variables[name] = Self.buildTop }
        variables["NIX_LOG_FD"] = "2"
        variables["TERM"] = "xterm-256color"
        for (name, path) in outputs { variables[name] = path }
        if derivation.isFixedOutput {
            let impure = (derivation.environment["impureEnvVars"]?.description ?? "").split(
                whereSeparator: \.isWhitespace)
            for name in impure {
                if let value = callerEnvironment[String(name)] { variables[String(name)] = value }
            }
        }
    }
}
