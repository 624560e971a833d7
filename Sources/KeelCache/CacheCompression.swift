/// How the NARs of a binary cache are compressed: the narinfo `Compression` value and the file
/// suffix of `nar/<filehash>.nar[.xz|.zst]`.
public enum CacheCompression: String, CaseIterable, Sendable {
    /// Uncompressed NARs (`nar/<filehash>.nar`).
    case none
    /// xz (`.nar.xz`), Nix's default.
    case xz
    /// zstd (`.nar.zst`).
    case zstd

    /// Reads a narinfo `Compression` value; an absent one means bzip2 to Nix, which Keel does
    /// not read.
    ///
    /// - Throws: `CacheError.Code.badInput` naming the value for any other compression.
    public init(narinfoValue: String?) throws(CacheError) {
        guard let narinfoValue else {
            throw CacheError(.badInput, "no Compression given, which means bzip2: Keel reads none, xz and zstd")
        }
        guard let compression = CacheCompression(rawValue: narinfoValue) else {
            throw CacheError(.badInput, "unsupported Compression '\(narinfoValue)': Keel reads none, xz and zstd")
        }
        self = compression
    }

    /// The suffix of a NAR file compressed this way.
    public var fileSuffix: String {
        switch self {
        case .none: ".nar"
        case .xz: ".nar.xz"
        case .zstd: ".nar.zst"
        }
    }
}
