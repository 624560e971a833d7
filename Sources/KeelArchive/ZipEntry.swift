/// One member of a zip archive, as its central directory describes it.
public struct ZipEntry: Sendable, Equatable {
    /// What a member is.
    public enum Kind: Sendable, Equatable {
        /// A regular file.
        case regularFile
        /// A directory (its name ends with `/`, or its attributes say so).
        case directory
        /// A symbolic link: its content is the target (Unix mode in the external attributes).
        case symbolicLink
        /// A device, fifo or socket (by its Unix mode).
        case special
    }

    /// The member's name as the archive spells it (raw bytes, UTF-8 when the archive says so;
    /// callers validate it before using it as a path).
    public let path: [UInt8]
    /// What the member is.
    public let kind: Kind
    /// The Unix permission bits from the external attributes; 0 when the archive was not made
    /// on a Unix-like system.
    public let mode: UInt32
    /// The compression method (0 stored, 8 deflate; others are not supported).
    public let compressionMethod: UInt16
    /// Whether the member is encrypted (not supported).
    public let isEncrypted: Bool
    /// The length of the stored (compressed) data.
    public let compressedSize: UInt64
    /// The length of the content.
    public let size: UInt64
    /// The CRC-32 of the content.
    public let checksum: UInt32
    /// Where the member's local header starts.
    let localHeaderOffset: UInt64

    /// Whether any execute bit is set.
    public var isExecutable: Bool { mode & 0o111 != 0 }
}
