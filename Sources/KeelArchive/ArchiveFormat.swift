/// The kinds of archive Keel unpacks, told apart by their first bytes, never by a file name.
public enum ArchiveFormat: Sendable, Equatable {
    /// An uncompressed tar archive.
    case tar
    /// A tar archive compressed with gzip (`1f 8b`).
    case gzipTar
    /// A tar archive compressed with xz (`fd 37 7a 58 5a 00`).
    case xzTar
    /// A zip archive (`PK\3\4`, or `PK\5\6` for an empty one).
    case zip

    /// How many leading bytes `detect` looks at: one tar header.
    public static let leadingByteCount = 512

    /// The format of an archive whose first bytes (up to `leadingByteCount`) are `leading`.
    ///
    /// A tar archive is recognised by the ustar magic, by a valid header checksum (v7
    /// archives), or by a zero first block (an empty archive).
    ///
    /// - Throws: `ArchiveError` for an empty file, bzip2 or zstd (named: not supported), and
    ///   anything else.
    public static func detect(_ leading: [UInt8]) throws(ArchiveError) -> ArchiveFormat {
        guard !leading.isEmpty else { throw ArchiveError("the file is empty, not an archive") }
        if leading.starts(with: [0x1f, 0x8b]) { return .gzipTar }
        if leading.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xzTar }
        if leading.starts(with: [0x50, 0x4b, 0x03, 0x04]) || leading.starts(with: [0x50, 0x4b, 0x05, 0x06]) {
            return .zip
        }
        if leading.starts(with: Array("BZh".utf8)) {
            throw ArchiveError("bzip2-compressed archives are not supported (use gzip, xz or zip)")
        }
        if leading.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
            throw ArchiveError("zstd-compressed archives are not supported (use gzip, xz or zip)")
        }
        if leading.count >= TarHeader.blockSize {
            let isTar = leading.withUnsafeBytes { block in
                let header = UnsafeRawBufferPointer(rebasing: block[..<TarHeader.blockSize])
                return header[257..<262].elementsEqual("ustar".utf8) || TarHeader.isZero(header)
                    || TarHeader.checksumMatches(header)
            }
            if isTar { return .tar }
        }
        throw ArchiveError("not a tar, gzip, xz or zip archive (by its first bytes)")
    }
}
