/// The bytes of a file, read in order from the start: the source under an archive's reader or
/// decompressor.
public final class FileByteSource: ByteSource {
    private let file: ArchiveFile
    private var offset: UInt64 = 0

    /// Opens `path` (following symlinks) for reading from its first byte.
    ///
    /// - Throws: `ArchiveError` when it cannot be opened or is not a regular file.
    public convenience init(path: String) throws(ArchiveError) {
        self.init(file: try ArchiveFile(path: path))
    }

    init(file: ArchiveFile) { self.file = file }

    /// Reads the next bytes of the file; 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let count = try file.read(into: buffer, at: offset)
        offset += UInt64(count)
        return count
    }
}
