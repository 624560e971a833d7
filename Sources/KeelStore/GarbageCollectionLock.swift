import KeelLinux
import SystemPackage

/// The store-wide lock between garbage collection and work that makes paths valid.
///
/// Adding and importing hold it shared, from the moment they decide a path is already valid (or
/// start creating it) until their paths are registered; collection holds it exclusive. So a
/// collection never runs between an add seeing that a path (or a reference) is valid and that add
/// finishing, and never deletes what an add or import relies on.
public final class GarbageCollectionLock {
    private let fd: FileDescriptor

    /// Waits for the lock in `ROOT/db/gc.lock`.
    init(root: String, exclusive: Bool) throws(SystemError) {
        fd = try FileSystem.openOrCreate(Array((root + "/db/gc.lock").utf8), permissions: 0o600)
        do { try FileSystem.lock(fd, exclusive: exclusive) } catch {
            FileSystem.close(fd)
            throw error
        }
    }

    deinit { FileSystem.close(fd) }
}
