import Glibc

/// A user of the host's user database (`/etc/passwd` or whatever NSS is set up to read): what an
/// agent's `user` names.
public struct UserAccount: Sendable, Equatable {
    /// The user's name.
    public let name: String
    /// The user id.
    public let uid: UInt32
    /// The primary group id.
    public let gid: UInt32
    /// The home directory.
    public let home: String
    /// Every group the user is in, the primary one included (`getgrouplist`).
    public let groups: [UInt32]

    /// The user called `name`, or with the uid `name` spells in decimal; nil when there is none.
    public static func named(_ name: String) -> UserAccount? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let status: Int32
        if let uid = UInt32(name) {
            status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        } else {
            status = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        }
        guard status == 0, result != nil, let namePointer = entry.pw_name else { return nil }
        let userName = String(cString: namePointer)
        let home = entry.pw_dir.map { String(cString: $0) } ?? "/"
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(userName, entry.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(userName, entry.pw_gid, &groups, &count) < 0 { count = 0 }
        }
        return UserAccount(
            name: userName, uid: entry.pw_uid, gid: entry.pw_gid, home: home,
            groups: Array(groups.prefix(Int(max(0, count)))).map { UInt32($0) })
    }
}
