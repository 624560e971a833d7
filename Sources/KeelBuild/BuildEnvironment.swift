import KeelFormats

/// What a builder is given, as Nix 2.8 gives it: its environment, its arguments and the files
/// made for it in the build directory. Nothing of the caller's environment leaks in, except the
/// variables a fixed-output derivation names in `impureEnvVars`.
///
/// The environment is built in Nix's order, so a derivation may set `PATH` or `HOME` but not
/// the build directory variables: `PATH`, `HOME`, `NIX_STORE` and `NIX_BUILD_CORES`; then the
/// derivation's own variables (`passAsFile` ones as files), or, with structured attributes,
/// `.attrs.json` and `.attrs.sh` instead; then `NIX_BUILD_TOP`, `TMPDIR` and friends and `PWD`;
/// for a fixed output `NIX_OUTPUT_CHECKED` and the impure variables (empty when the caller has
/// none); `NIX_LOG_FD` and `TERM`. Output placeholders are replaced by the output paths in
/// everything the builder gets.
///
/// One deliberate difference: Nix 2.8 points `NIX_ATTRS_JSON_FILE` and `NIX_ATTRS_SH_FILE` at
/// its build directory's path outside the sandbox, where a sandboxed builder cannot read them;
/// Keel points them at the files as the builder sees them (`/build/.attrs.json`), as later Nix
/// releases do.
struct BuildEnvironment {
    /// Where the build directory appears inside the sandbox.
    static let buildTop = "/build"

    /// The variables.
    private(set) var variables: [String: String] = [:]
    /// Files to create in the build directory before the builder starts: name and contents.
    private(set) var files: [(name: String, contents: [UInt8])] = []
    /// The builder's arguments.
    let arguments: [String]
    /// The derivation's own variables, placeholders replaced: what a built-in builder reads.
    let attributes: [String: String]

    /// The environment for building `derivation`, whose outputs are `outputs` (name to full
    /// path), in store directory `storeDirectory` with `cores` cores; `callerEnvironment`
    /// supplies the impure variables of fixed-output derivations, and `referencesGraphs` the
    /// attributes `exportReferencesGraph` adds to structured attributes.
    ///
    /// - Throws: `DerivationError` when structured attributes have the wrong shape.
    init(
        derivation: Derivation, outputs: [String: String], storeDirectory: StoreDirectory, cores: Int,
        callerEnvironment: [String: String], referencesGraphs: [String: NixJSON] = [:]
    ) throws(DerivationError) {
        let placeholders = OutputPlaceholders(outputs: outputs)
        var own: [String: String] = [:]
        for (key, value) in derivation.environment { own[key.description] = placeholders.rewrite(value.description) }
        attributes = own
        arguments = derivation.arguments.map { placeholders.rewrite($0.description) }

        variables["PATH"] = "/path-not-set"
        variables["HOME"] = "/homeless-shelter"
        variables["NIX_STORE"] = storeDirectory.path
        variables["NIX_BUILD_CORES"] = String(cores)
        let structured = try StructuredAttributes.of(derivation)
        if let structured {
            let object = structured.builderAttributes(outputs: outputs, referencesGraphs: referencesGraphs)
            for (name, contents) in [
                (".attrs.json", StructuredAttributes.jsonFile(object)),
                (".attrs.sh", StructuredAttributes.shellFile(object)),
            ] {
                files.append((name, placeholders.rewrite(contents)))
            }
            variables["NIX_ATTRS_JSON_FILE"] = Self.buildTop + "/.attrs.json"
            variables["NIX_ATTRS_SH_FILE"] = Self.buildTop + "/.attrs.sh"
        } else {
            let passedAsFile = Set((own["passAsFile"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init))
            for (key, value) in derivation.environment {
                let name = key.description
                if passedAsFile.contains(name) {
                    let fileName = ".attr-" + StreamingHasher.hash(.sha256, Array(name.utf8)).encoded(.nixBase32)
                    files.append((fileName, placeholders.rewrite(value.bytes)))
                    variables[name + "Path"] = Self.buildTop + "/" + fileName
                } else {
                    variables[name] = own[name]
                }
            }
        }
        for name in ["NIX_BUILD_TOP", "TMPDIR", "TEMPDIR", "TMP", "TEMP", "PWD"] { variables[name] = Self.buildTop }
        if derivation.isFixedOutput {
            variables["NIX_OUTPUT_CHECKED"] = "1"
            let impure =
                try structured?.strings("impureEnvVars")
                ?? (own["impureEnvVars"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
            for name in impure { variables[name] = callerEnvironment[name] ?? "" }
        }
        variables["NIX_LOG_FD"] = "2"
        variables["TERM"] = "xterm-256color"
    }
}
