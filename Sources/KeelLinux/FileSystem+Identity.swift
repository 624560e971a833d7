import CKeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Which file system object an entry is, beyond its name: a later object under the same name
/// (even one that reuses the inode number) has another identity. Survives renames.
public struct EntryIdentity: Sendable, Hashable {
    /// The inode number.
    public let inode: UInt64
    /// The birth time in nanoseconds since the epoch, 0 where the file system does not record it.
    public let birthNanoseconds: Int64

    /// An identity from its parts, as stored.
    public init(inode: UInt64, birthNanoseconds: Int64) {
        self.inode = inode
        self.birthNanoseconds = birthNanoseconds
    }
}

extension FileSystem {
    /// The identity of the entry `name` in `directory`, not following a final symlink
    /// (`statx(2)` with the inode and the birth time).
    public static func identity(of name: [UInt8], in directory: FileDescriptor = currentDirectory)
        throws(SystemError) -> EntryIdentity
    {
        var inode: UInt64 = 0
        var birth: Int64 = 0
        try withCString(name) { path throws(SystemError) in
            _ = try SystemCall.retrying("statx", path: display(name)) {
                ckeel_entry_identity(directory.rawValue, path, &inode, &birth)
            }
        }
        return EntryIdentity(inode: inode, birthNanoseconds: birth)
    }
}
