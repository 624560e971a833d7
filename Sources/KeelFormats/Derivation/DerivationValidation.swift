extension Derivation {
    /// Parses `.drv` bytes and validates what they mean: what every reader of a `.drv` calls,
    /// so that no code relies on a derivation that has not passed `validate()`.
    ///
    /// - Throws: `DerivationError`: `.syntax` for malformed text, else what `validate()` throws.
    public init(parsing bytes: [UInt8]) throws(DerivationError) {
        self = try ATermParser.parse(bytes)
        try validate()
    }

    /// Checks what building or hashing a derivation relies on, refusing what Nix 2.8 refuses
    /// with Nix's wording:
    ///
    /// - at least one output, each with a name that can be part of a store path name and is
    ///   not `drv`;
    /// - output kinds: a fixed output has a known algorithm (`[r:]md5|sha1|sha256|sha512`) and
    ///   a digest of the right length, is the only output, and is named `out`; floating and
    ///   impure outputs (experimental in Nix) are refused;
    /// - built-in builders: only `builtin:fetchurl`, which needs a fixed output `out` and a
    ///   `url` attribute;
    /// - structured attributes: `__json`, when present, is a JSON object.
    ///
    /// Output paths are checked where the store directory and the derivation's name are known
    /// (`DerivationHasher.verifyOutputPaths`).
    public func validate() throws(DerivationError) {
        guard !outputs.isEmpty else { throw .noOutputs }
        for name in outputNames where !Self.isValidOutputName(name) { throw .invalidOutputName(name) }
        var fixed: [String] = []
        var others = 0
        for name in outputNames {
            let output = outputs[name] ?? Output(path: "")
            switch output.kind {
            case .fixed:
                _ = try output.fixedContentAddress()
                fixed.append(name)
            case .floating: throw .experimentalFeature("ca-derivations")
            case .impure: throw .experimentalFeature("impure-derivations")
            case .hashWithoutAlgorithm: throw .hashWithoutAlgorithm(output: name)
            case .inputAddressed, .deferred: others += 1
            }
        }
        if !fixed.isEmpty {
            guard others == 0 else { throw .mixedOutputTypes }
            guard fixed.count == 1 else { throw .multipleFixedOutputs }
            guard fixed[0] == "out" else { throw .fixedOutputNotNamedOut(fixed[0]) }
        }
        try validateBuiltin()
        if environment[StructuredAttributes.variable] != nil { _ = try StructuredAttributes(self) }
    }

    /// The built-in builder's name when the builder is `builtin:NAME`.
    public var builtinBuilder: String? {
        let prefix = Array("builtin:".utf8)
        guard builder.bytes.starts(with: prefix) else { return nil }
        return String(decoding: builder.bytes.dropFirst(prefix.count), as: UTF8.self)
    }

    private func validateBuiltin() throws(DerivationError) {
        guard let builtin = builtinBuilder else { return }
        guard builtin == "fetchurl" else { throw .unsupportedBuiltin(builtin) }
        guard outputs["out"] != nil else { throw .fetchURLWithoutOut(outputNames) }
        guard isFixedOutput else { throw .fetchURLNotFixed }
        guard environment["url"] != nil else { throw .builtinAttributeMissing(builder: builtin, attribute: "url") }
    }

    /// Whether `name` can name an output: the `-NAME` it adds to a store path name is valid,
    /// and it is not `drv` (which Nix's evaluator refuses).
    public static func isValidOutputName(_ name: String) -> Bool {
        guard !name.isEmpty, name != "drv" else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default: "+-._?=".utf8.contains(byte)
            }
        }
    }
}
