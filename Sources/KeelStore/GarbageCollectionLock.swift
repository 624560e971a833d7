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

    /// Takes the lock in `ROOT/db/gc.lock`; when another process holds it in a conflicting mode,
    /// first calls `waiting` with a line saying what it waits for, then waits.
    init(root: String, exclusive: Bool, waiting: (String) -> Void) throws(SystemError) {
        fd = try FileSystem.openOrCreate(Array((root + "/db/gc.lock").utf8), permissions: 0o600)
        do {
            if try !FileSystem.tryLock(fd, exclusive: exclusive) {
                waiting(Self.waitingLine(exclusive: exclusive))
                try FileSystem.lock(fd, exclusive: exclusive)
            }
        } catch {
            FileSystem.close(fd)
            throw error
        }
    }

    deinit { FileSystem.close(fd) }

    /// What a process waiting for the lock in this mode waits for.
    static func waitingLine(exclusive: Bool) -> String {
        exclusive
            ? "waiting for other keel processes to finish adding, importing or building paths..."
            : "waiting for a garbage collection in progress to finish..."
    }
}
