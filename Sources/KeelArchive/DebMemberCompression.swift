/// How a .deb's `control.tar` or `data.tar` member is compressed, told by its name's suffix as
/// dpkg does (`data.tar`, `data.tar.gz`, `data.tar.xz`, `data.tar.zst`).
enum DebMemberCompression: Equatable {
    case none
    case gzip
    case xz
    case zstd

    /// The compression of the member `name`, which starts with `stem` (`control.tar` or
    /// `data.tar`).
    ///
    /// - Throws: `ArchiveError` for another suffix (bzip2 and lzma named as unsupported).
    init(memberName name: String, stem: String) throws(ArchiveError) {
        switch name.dropFirst(stem.count) {
        case "": self = .none
        case ".gz": self = .gzip
        case ".xz": self = .xz
        case ".zst": self = .zstd
        case ".bz2", ".lzma":
            throw ArchiveError("member '\(name)': bzip2 and lzma compression are not supported (use gz, xz or zst)")
        default:
            throw ArchiveError("member '\(name)': unknown compression (expected \(stem), .gz, .xz or .zst)")
        }
    }

    /// The decompressed bytes of `source`.
    ///
    /// - Throws: `ArchiveError` when the decompressor cannot be set up.
    func decompressing<Source: ByteSource>(_ source: Source) throws(ArchiveError) -> AnyByteSource {
        switch self {
        case .none: AnyByteSource(source)
        case .gzip: AnyByteSource(try GzipDecompressor(source: source))
        case .xz: AnyByteSource(try XzDecompressor(source: source))
        case .zstd: AnyByteSource(try ZstdDecompressor(source: source))
        }
    }
}
