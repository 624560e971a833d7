/// Reads a zip archive: its members from the central directory, and each member's content
/// streamed on demand (stored or deflate, zip64 included; encrypted members refused).
///
/// ```swift
/// let zip = try ZipReader(path: path)
/// for entry in zip.entries where entry.kind == .regularFile {
///     let content = try zip.contents(of: entry)
///     while case let count = try content.read(into: buffer), count > 0 { … }
/// }
/// ```
public final class ZipReader {
    /// The members, in central directory order.
    public let entries: [ZipEntry]
    private let file: ArchiveFile

    /// Opens the zip archive at `path` (following symlinks) and reads its central directory.
    ///
    /// - Throws: `ArchiveError` when it cannot be opened, or is truncated, corrupt or split.
    public convenience init(path: String) throws(ArchiveError) {
        try self.init(file: try ArchiveFile(path: path))
    }

    init(file: ArchiveFile) throws(ArchiveError) {
        self.file = file
        entries = try ZipCentralDirectory.entries(of: file)
    }

    /// The content of `entry` (one of `entries`), to be read in order.
    ///
    /// - Throws: `ArchiveError` naming the member when it is encrypted, uses a compression
    ///   method other than stored or deflate, or its local header is corrupt.
    public func contents(of entry: ZipEntry) throws(ArchiveError) -> ZipMemberReader {
        try ZipMemberReader(file: file, entry: entry)
    }
}
