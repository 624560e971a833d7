#if canImport(Glibc)
    import Glibc
#endif

/// The kind of a directory entry or inode.
public enum FileKind: Sendable, Equatable {
    /// A regular file.
    case regular
    /// A directory.
    case directory
    /// A symbolic link.
    case symlink
    /// A fifo, socket, character or block device.
    case special
    /// Not known without a `stat` (some file systems do not fill `d_type`).
    case unknown

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        default: self = .special
        }
    }

    init(directoryEntryType type: UInt8) {
        switch Int32(type) {
        case Int32(DT_REG): self = .regular
        case Int32(DT_DIR): self = .directory
        case Int32(DT_LNK): self = .symlink
        case Int32(DT_UNKNOWN): self = .unknown
        default: self = .special
        }
    }
}

/// The parts of `struct stat` Keel uses.
public struct FileStatus: Sendable, Equatable {
    /// The inode's kind.
    public let kind: FileKind
    /// The permission bits, setuid/setgid/sticky included (`st_mode & 07777`).
    public let permissions: UInt32
    /// The size in bytes.
    public let size: UInt64
    /// The owner.
    public let uid: UInt32
    /// The group.
    public let gid: UInt32
    /// The modification time, seconds since the epoch.
    public let modificationTime: Int64
    /// The device.
    public let device: UInt64
    /// The inode number.
    public let inode: UInt64
    /// The hard-link count.
    public let linkCount: UInt64

    init(_ info: stat) {
        kind = FileKind(mode: info.st_mode)
        permissions = UInt32(info.st_mode & 0o7777)
        size = UInt64(info.st_size)
        uid = info.st_uid
        gid = info.st_gid
        modificationTime = Int64(info.st_mtim.tv_sec)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        linkCount = UInt64(info.st_nlink)
    }

    /// Whether the owner-execute bit (0100) is set: what makes a NAR file executable.
    public var isOwnerExecutable: Bool { permissions & 0o100 != 0 }
}
