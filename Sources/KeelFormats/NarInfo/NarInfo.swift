/// A binary cache's description of one store path: a `.narinfo` file (spec/nix-formats.md §5.3).
///
/// Parsing is lenient where caches in the wild differ (unknown keys ignored, any hash encoding,
/// unsorted references); printing is exactly what Nix writes: fixed key order, hashes as
/// `sha256:<base32>`, `References: ` even when empty.
public struct NarInfo: Hashable, Sendable {
    /// The full store path.
    public var storePath: String
    /// Where the (compressed) NAR is, relative to the cache root.
    public var url: String
    /// The compression (`xz`, `none`, …); absent means `bzip2` to a reader.
    public var compression: String?
    /// The hash of the compressed file.
    public var fileHash: NixHash?
    /// The size of the compressed file.
    public var fileSize: UInt64?
    /// The sha256 of the uncompressed NAR.
    public var narHash: NixHash
    /// The size of the uncompressed NAR.
    public var narSize: UInt64
    /// The references, as base names (`<hash>-<name>`).
    public var references: [String]
    /// The deriver's base name, if known.
    public var deriver: String?
    /// The platform, if given.
    public var system: String?
    /// Signatures, `keyname:base64`.
    public var signatures: [String]
    /// The content address, if the path is content-addressed.
    public var contentAddress: ContentAddress?

    /// Makes a narinfo.
    public init(
        storePath: String, url: String, compression: String? = nil, fileHash: NixHash? = nil,
        fileSize: UInt64? = nil, narHash: NixHash, narSize: UInt64, references: [String] = [],
        deriver: String? = nil, system: String? = nil, signatures: [String] = [], contentAddress: ContentAddress? = nil
    ) {
        self.storePath = storePath
        self.url = url
        self.compression = compression
        self.fileHash = fileHash
        self.fileSize = fileSize
        self.narHash = narHash
        self.narSize = narSize
        self.references = references
        self.deriver = deriver
        self.system = system
        self.signatures = signatures
        self.contentAddress = contentAddress
    }

    /// The store directory: the directory holding `storePath`.
    public var storeDirectory: StoreDirectory {
        get throws(NarInfoError) {
            guard let slash = storePath.lastIndex(of: "/"), slash != storePath.startIndex else {
                throw .invalidValue(line: 0, key: "StorePath", storePath)
            }
            do { return try StoreDirectory(String(storePath[..<slash])) } catch {
                throw .invalidValue(line: 0, key: "StorePath", storePath)
            }
        }
    }

    /// The text signed for this path: `1;<path>;sha256:<b32 narHash>;<narSize>;<sorted full refs>`.
    public func fingerprint() throws(NarInfoError) -> String {
        let directory = try storeDirectory
        let references = references.map { "\(directory.path)/\($0)" }.sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
        return "1;\(storePath);\(narHash.prefixed(.nixBase32));\(narSize);\(references.joined(separator: ","))"
    }

    /// Adds a signature by `key`, replacing any earlier one by the same key name.
    public mutating func sign(with key: SigningSecretKey) throws(NarInfoError) {
        let signature = key.sign(Array(try fingerprint().utf8))
        signatures.removeAll { $0.hasPrefix(key.name + ":") }
        signatures.append(signature)
        signatures.sort()
    }

    /// The signatures that `key` verifies.
    public func validSignatures(for key: SigningPublicKey) throws(NarInfoError) -> [String] {
        let message = Array(try fingerprint().utf8)
        return signatures.filter { key.verify(signature: $0, of: message) }
    }

    /// The file text, as Nix writes it.
    public var text: String {
        var out = "StorePath: \(storePath)\nURL: \(url)\n"
        if let compression { out += "Compression: \(compression)\n" }
        if let fileHash { out += "FileHash: \(fileHash.prefixed(.nixBase32))\n" }
        if let fileSize { out += "FileSize: \(fileSize)\n" }
        out += "NarHash: \(narHash.prefixed(.nixBase32))\nNarSize: \(narSize)\n"
        out += "References: \(references.joined(separator: " "))\n"
        if let deriver { out += "Deriver: \(deriver)\n" }
        if let system { out += "System: \(system)\n" }
        for signature in signatures { out += "Sig: \(signature)\n" }
        if let contentAddress { out += "CA: \(contentAddress)\n" }
        return out
    }
}
