/// One member for `TarWriter` to write: a relative path, what it is, and its permission bits.
///
/// The path is raw bytes: valid UTF-8, not empty, no NUL, no leading or trailing "/" (the
/// writer adds the trailing "/" to directory names, as Python's tarfile does).
public struct TarMember: Sendable, Equatable {
    /// What a member is.
    public enum Kind: Sendable, Equatable {
        /// A directory.
        case directory
        /// A regular file whose content is exactly `size` bytes.
        case regularFile(size: UInt64)
        /// A symbolic link pointing at `target` (valid UTF-8, not empty, no NUL).
        case symlink(target: [UInt8])
    }

    /// The member's relative path.
    public var path: [UInt8]
    /// What the member is.
    public var kind: Kind
    /// The permission bits; only `mode & 0o7777` is written, as Python's tarfile does.
    public var mode: UInt32

    /// A member named `path` of `kind` with permission bits `mode`.
    public init(path: [UInt8], kind: Kind, mode: UInt32) {
        self.path = path
        self.kind = kind
        self.mode = mode
    }
}
