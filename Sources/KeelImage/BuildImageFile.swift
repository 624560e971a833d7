/// One file of an image's customisation layer (the layer on top of the store paths): a
/// directory, a small file or a symlink at an absolute path, with its mode and owner.
public struct ImageFile: Sendable, Equatable {
    /// What the file is.
    public enum Kind: Sendable, Equatable {
        /// A directory.
        case directory
        /// A regular file with these contents.
        case file([UInt8])
        /// A symlink to this target.
        case symlink(String)
    }

    /// Its absolute path in the image.
    public var path: String
    /// What it is.
    public var kind: Kind
    /// Its permission bits (symlinks are always 0777).
    public var mode: UInt32
    /// Its owner's uid and gid.
    public var owner: ImageFileOwner

    /// A file at `path`.
    public init(path: String, kind: Kind, mode: UInt32, owner: ImageFileOwner = .root) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.owner = owner
    }
}

/// Who owns a customisation file: ids and the names written in the tar header.
public struct ImageFileOwner: Sendable, Equatable, Hashable {
    /// The user id.
    public var uid: UInt32
    /// The group id.
    public var gid: UInt32
    /// The user name in the header.
    public var userName: String
    /// The group name in the header.
    public var groupName: String

    /// An owner.
    public init(uid: UInt32, gid: UInt32, userName: String, groupName: String) {
        self.uid = uid
        self.gid = gid
        self.userName = userName
        self.groupName = groupName
    }

    /// root:root (0:0), what every store file has.
    public static let root = ImageFileOwner(uid: 0, gid: 0, userName: "root", groupName: "root")
}
