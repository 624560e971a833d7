/// Computes store paths the way Nix's `makeStorePath` family does (spec/nix-formats.md §3.2–3.4).
///
/// Every path hash is `fold20(sha256(TYPE ":sha256:" hex(INNER) ":" storeDir ":" NAME))`, so the
/// store directory is part of every result.
public struct StorePathComputer: Sendable {
    /// The store directory the paths belong to.
    public let storeDirectory: StoreDirectory

    /// Computes paths for `storeDirectory`.
    public init(storeDirectory: StoreDirectory) {
        self.storeDirectory = storeDirectory
    }

    /// The generic computation: `type` is `source`, `text:<refs>`, `output:out`, and so on.
    ///
    /// - Parameters:
    ///   - type: the fingerprint's type string, references included.
    ///   - inner: a sha256 hash written in hex into the fingerprint.
    ///   - name: the store path name.
    public func makeStorePath(type: String, inner: NixHash, name: String) throws(StorePathError) -> StorePath {
        precondition(inner.algorithm == .sha256, "store path fingerprints use sha256")
        let fingerprint = "\(type):sha256:\(inner.base16):\(storeDirectory.path):\(name)"
        let digest = StreamingHasher.hash(.sha256, fingerprint.utf8).compressed(to: 20)
        return try StorePath(digest: digest, name: name)
    }

    /// The path `nix-store --add` gives a tree whose NAR hashes to `narHash` (sha256), with
    /// optional references and self-reference.
    public func sourcePath(
        narHash: NixHash, name: String, references: [StorePath] = [], hasSelfReference: Bool = false
    ) throws(StorePathError) -> StorePath {
        var type = "source"
        for reference in references.sorted() { type += ":" + storeDirectory.fullPath(reference) }
        if hasSelfReference { type += ":self" }
        return try makeStorePath(type: type, inner: narHash, name: name)
    }

    /// The path of a text file (`builtins.toFile`, a `.drv`) with the given sha256 of its contents.
    public func textPath(
        contentHash: NixHash, name: String, references: [StorePath] = []
    ) throws(StorePathError) -> StorePath {
        var type = "text"
        for reference in references.sorted() { type += ":" + storeDirectory.fullPath(reference) }
        return try makeStorePath(type: type, inner: contentHash, name: name)
    }

    /// The path of a fixed-output path: a flat file hash, or a recursive (NAR) hash.
    ///
    /// Recursive sha256 is the `source` form; every other case hashes
    /// `fixed:out:[r:]<algo>:<hex>:` into an `output:out` path.
    public func fixedOutputPath(
        method: ContentAddressMethod, hash: NixHash, name: String, references: [StorePath] = []
    ) throws(StorePathError) -> StorePath {
        switch method {
        case .text:
            return try textPath(contentHash: hash, name: name, references: references)
        case .recursive where hash.algorithm == .sha256:
            return try sourcePath(narHash: hash, name: name, references: references)
        case .recursive, .flat:
            let prefix = method == .recursive ? "r:" : ""
            let innerText = "fixed:out:\(prefix)\(hash.algorithm.name):\(hash.base16):"
            let inner = StreamingHasher.hash(.sha256, innerText.utf8)
            return try makeStorePath(type: "output:out", inner: inner, name: name)
        }
    }

    /// The path a content address gives under `name`.
    public func path(for contentAddress: ContentAddress, name: String, references: [StorePath] = [])
        throws(StorePathError) -> StorePath
    {
        try fixedOutputPath(
            method: contentAddress.method, hash: contentAddress.hash, name: name, references: references)
    }

    /// The path of an input-addressed derivation output.
    ///
    /// - Parameters:
    ///   - outputName: `out`, `dev`, …
    ///   - hashModulo: the derivation's masked hash (§4.4).
    ///   - derivationName: the derivation's `name`; outputs other than `out` get `-<output>`.
    public func outputPath(
        outputName: String, hashModulo: NixHash, derivationName: String
    ) throws(StorePathError) -> StorePath {
        let name = outputName == "out" ? derivationName : "\(derivationName)-\(outputName)"
        return try makeStorePath(type: "output:\(outputName)", inner: hashModulo, name: name)
    }
}
