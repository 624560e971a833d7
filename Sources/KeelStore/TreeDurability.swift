import KeelLinux
import SystemPackage

/// Makes a finished tree durable before it is renamed into place: a small tree file by file
/// (`fsync` of each file and directory), a big one with one `syncfs`, whichever costs less.
///
/// `syncfs` flushes everything dirty on the file system, other processes' writes included, so
/// for the few files a typical build output or text path holds, fsyncing just those is several
/// times cheaper; for thousands of files one `syncfs` beats thousands of `fsync`s.
enum TreeDurability {
    /// Above this many entries a tree is flushed with `syncfs`.
    static let fileByFileLimit = 64

    /// Makes the tree `name` in `directory` durable (its entry in `directory` is made durable
    /// later, by the caller's fsync after the rename).
    static func sync(_ name: [UInt8], in directory: FileDescriptor) throws(SystemError) {
        var budget = fileByFileLimit
        var opened: [FileDescriptor] = []
        defer { for fd in opened { FileSystem.close(fd) } }
        if try collect(name, in: directory, budget: &budget, into: &opened) {
            for fd in opened { try FileSystem.sync(fd) }
        } else {
            try FileSystem.syncFileSystem(directory)
        }
    }

    /// Opens every regular file and directory of the tree, depth first; false (stop) when the
    /// tree has more entries than the budget.
    private static func collect(
        _ name: [UInt8], in directory: FileDescriptor, budget: inout Int, into opened: inout [FileDescriptor]
    ) throws(SystemError) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        let kind = try FileSystem.status(of: name, in: directory).kind
        switch kind {
        case .regular:
            opened.append(try FileSystem.openForReading(name, in: directory))
        case .directory:
            let child = try FileSystem.openDirectory(name, in: directory)
            opened.append(child)
            for entry in try DirectoryListing.read(child) {
                if try !collect(entry.name, in: child, budget: &budget, into: &opened) { return false }
            }
        default:
            break  // A symlink's target lives in its directory, which is synced.
        }
        return true
    }
}
