import KeelArchive
import KeelFormats

/// Takes a NAR as `TreeDumper` writes it: hashes and counts it, compresses it, and writes the
/// compressed bytes to a temporary cache file while hashing and counting them too.
struct CacheNarConsumer {
    private let output: HashingFileOutput
    private let compressor: (any StreamCompressor)?
    private var narHasher = StreamingHasher(.sha256)
    /// The NAR's size in bytes.
    private(set) var narSize: UInt64 = 0
    /// The NAR's sha256, set by `finish()`.
    private(set) var narHash: NixHash?

    /// A consumer writing to `file`, compressed with `compression`.
    ///
    /// - Throws: `CacheError.Code.badInput` when the compressor cannot be set up.
    init(writingTo file: CacheTemporaryFile, compression: CacheCompression) throws(CacheError) {
        do {
            compressor =
                switch compression {
                case .none: nil
                case .xz: try XzCompressor()
                case .zstd: try ZstdCompressor()
                }
        } catch {
            throw CacheError(.badInput, "cannot start the \(compression.rawValue) compressor: \(error)")
        }
        output = HashingFileOutput(file: file, hashing: compression != .none)
    }

    /// Hashes, compresses and writes a chunk of the NAR.
    mutating func consume(_ chunk: UnsafeRawBufferPointer) throws {
        narHasher.update(chunk)
        narSize += UInt64(chunk.count)
        if var compressor {
            try compressor.compress(chunk) { bytes throws(CacheError) in try output.write(bytes) }
        } else {
            try output.write(chunk)
        }
    }

    /// Ends the compressed stream and the hashes.
    mutating func finish() throws {
        if var compressor {
            try compressor.finish { bytes throws(CacheError) in try output.write(bytes) }
        }
        narHash = narHasher.finalize()
    }

    /// The compressed file's sha256 and size, after `finish()`: the NAR's when uncompressed.
    var file: (hash: NixHash, size: UInt64)? {
        guard let narHash else { return nil }
        return (output.hash ?? narHash, output.size)
    }
}

/// Writes bytes to a temporary cache file, counting them and (when asked) hashing them.
private final class HashingFileOutput {
    private let file: CacheTemporaryFile
    private var hasher: StreamingHasher?
    /// The bytes written.
    private(set) var size: UInt64 = 0

    init(file: CacheTemporaryFile, hashing: Bool) {
        self.file = file
        hasher = hashing ? StreamingHasher(.sha256) : nil
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(CacheError) {
        hasher?.update(bytes)
        size += UInt64(bytes.count)
        try file.write(bytes)
    }

    /// The hash of the bytes written, when hashing; nil otherwise.
    var hash: NixHash? { hasher?.finalize() }
}
