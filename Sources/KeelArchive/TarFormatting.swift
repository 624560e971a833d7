/// The metadata every header `TarWriter` writes gets, whatever the member: fixed, so that the
/// same members make the same archive bytes on every run.
public struct TarFormatting: Sendable, Equatable, Hashable {
    /// The modification time, in seconds since the epoch (1 by default).
    public var modificationTime: Int64
    /// The owner's numeric id (0 by default).
    public var userID: UInt32
    /// The group's numeric id (0 by default).
    public var groupID: UInt32
    /// The owner's name ("root" by default); no NUL.
    public var userName: String
    /// The group's name ("root" by default); no NUL.
    public var groupName: String

    /// Formatting with the given metadata; the defaults are those of reproducible OCI layers.
    public init(
        modificationTime: Int64 = 1, userID: UInt32 = 0, groupID: UInt32 = 0, userName: String = "root",
        groupName: String = "root"
    ) {
        self.modificationTime = modificationTime
        self.userID = userID
        self.groupID = groupID
        self.userName = userName
        self.groupName = groupName
    }
}
