/// A host user's identity for a process: its uid, its primary gid and its supplementary groups.
public struct ProcessIdentity: Sendable, Equatable {
    /// The user id.
    public var uid: UInt32
    /// The primary group id.
    public var gid: UInt32
    /// The supplementary groups (as `getgrouplist` gives them).
    public var groups: [UInt32]

    /// An identity.
    public init(uid: UInt32, gid: UInt32, groups: [UInt32]) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}
