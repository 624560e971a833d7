/// One member of a tar archive as `TarReader` reports it: its header, with pax extended
/// headers and GNU long names and links already applied.
public struct TarEntry: Sendable, Equatable {
    /// What a member is.
    public enum Kind: Sendable, Equatable {
        /// A regular file; `size` bytes of content follow.
        case regularFile
        /// A directory.
        case directory
        /// A symbolic link to `linkTarget`.
        case symbolicLink
        /// Another name of the earlier member `linkTarget`.
        case hardLink
        /// A character device.
        case characterDevice
        /// A block device.
        case blockDevice
        /// A named pipe.
        case fifo
    }

    /// The member's name as the archive spells it (raw bytes; may start with `./`, end with
    /// `/`, or be unsafe: callers validate it before using it as a path).
    public let path: [UInt8]
    /// What the member is.
    public let kind: Kind
    /// The target of a symbolic or hard link; empty for other kinds.
    public let linkTarget: [UInt8]
    /// The permission bits (`mode & 0o7777`).
    public let mode: UInt32
    /// The content length in bytes (0 for everything but regular files).
    public let size: UInt64
    /// The modification time, in seconds since the epoch.
    public let modificationTime: Int64
    /// The owner's numeric id.
    public let userID: UInt64
    /// The group's numeric id.
    public let groupID: UInt64

    /// Whether any execute bit is set.
    public var isExecutable: Bool { mode & 0o111 != 0 }
}
