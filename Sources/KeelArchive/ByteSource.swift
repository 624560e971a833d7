/// A stream of bytes read in chunks: an archive file, or a decompressor over another source.
///
/// Readers such as `TarReader` pull from a source as they need, so no archive or member is ever
/// held whole in memory.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer` and returns how many; 0 only at the end.
    ///
    /// - Throws: `ArchiveError` when the bytes cannot be read or are corrupt (a truncated or
    ///   damaged compressed stream, trailing garbage).
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int
}
