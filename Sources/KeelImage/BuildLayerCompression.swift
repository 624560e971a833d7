/// How layer blobs are stored: uncompressed (the default: the blob's digest is its diff_id and
/// no compressor version can change it) or compressed with a pinned gzip or zstd encoder.
public enum LayerCompression: String, Sendable, CaseIterable, Codable {
    /// Plain tar.
    case none
    /// gzip (zlib, level 6, no name, no time).
    case gzip
    /// zstd (libzstd, pinned level).
    case zstd

    /// The layer media type for this compression.
    public var mediaType: String {
        switch self {
        case .none: MediaType.layerTar
        case .gzip: MediaType.layerTarGzip
        case .zstd: MediaType.layerTarZstd
        }
    }
}
