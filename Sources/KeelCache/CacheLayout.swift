import KeelFormats

/// The names of a binary cache's files (spec/nix-formats.md §5.1): `nix-cache-info`,
/// `<hash>.narinfo` and `nar/<filehash>.nar[.xz|.zst]`.
public enum CacheLayout {
    /// The file describing the cache.
    public static let cacheInfoName = "nix-cache-info"

    /// The directory holding the NARs.
    public static let narDirectory = "nar"

    /// The `nix-cache-info` text for a cache of `storeDirectory`: `StoreDir` (all that
    /// `nix copy --to file://` writes), then `WantMassQuery: 1` when `massQuery` and `Priority`
    /// when given (what an HTTP cache server announces).
    public static func cacheInfo(storeDirectory: StoreDirectory, massQuery: Bool = false, priority: Int? = nil)
        -> String
    {
        var text = "StoreDir: \(storeDirectory.path)\n"
        if massQuery { text += "WantMassQuery: 1\n" }
        if let priority { text += "Priority: \(priority)\n" }
        return text
    }

    /// The narinfo file name of `path`: its hash part and `.narinfo`.
    public static func narinfoName(of path: StorePath) -> String {
        "\(path.hashPart).narinfo"
    }

    /// The URL, relative to the cache root, of a NAR whose compressed file hashes to `fileHash`.
    public static func narURL(fileHash: NixHash, compression: CacheCompression) -> String {
        "\(narDirectory)/\(fileHash.encoded(.nixBase32))\(compression.fileSuffix)"
    }
}
