import KeelArchive
import KeelFormats

/// The uncompressed bytes of a NAR file, as a `KeelFormats.ByteSource` the NAR reader takes:
/// the file's bytes through the decompressor its narinfo names (none, xz or zstd).
///
/// It keeps the first failure of the file or the decompressor, so that failure is reported
/// rather than how the NAR reader saw it (a transfer that fails at once looks like a NAR with
/// a bad magic to the reader).
final class DecompressedNAR: KeelFormats.ByteSource {
    private var source: any KeelArchive.ByteSource
    /// The first failure reading or decompressing the file.
    private(set) var failure: ArchiveError?

    /// Decompresses `file` as `compression` says.
    ///
    /// - Throws: `ArchiveError` when the decompressor cannot start.
    init(_ file: HashingByteSource, compression: CacheCompression) throws(ArchiveError) {
        switch compression {
        case .none: source = file
        case .xz: source = try XzDecompressor(source: file)
        case .zstd: source = try ZstdDecompressor(source: file)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do { return try source.read(into: buffer) } catch {
            if failure == nil { failure = error }
            throw error
        }
    }
}
