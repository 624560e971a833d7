/// The bytes of one range of an archive file, in order: a zip member's stored data.
final class FileRangeSource: ByteSource {
    private let file: ArchiveFile
    private var offset: UInt64
    private var remaining: UInt64

    init(file: ArchiveFile, offset: UInt64, length: UInt64) {
        self.file = file
        self.offset = offset
        remaining = length
    }

    /// Reads the next bytes of the range; 0 at its end (or where the file ends first).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let wanted = Int(min(UInt64(buffer.count), remaining))
        guard wanted > 0 else { return 0 }
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: offset)
        offset += UInt64(count)
        remaining -= UInt64(count)
        return count
    }
}
