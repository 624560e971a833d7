import Glibc
import KeelLinux
import Synchronization
import SystemPackage

/// Removes many entries of one directory on several threads.
///
/// Removing a file whose blocks are on disk costs more than the unlink itself: the kernel frees
/// (and, on a file system mounted with `discard`, trims) its blocks when the last reference
/// goes, outside the directory's lock. Several threads overlap that waiting.
public enum ParallelRemover {
    /// Removes each name in `names` (a tree, a file or a symlink) from `directory`, ignoring
    /// names already gone, with up to `threads` threads.
    ///
    /// - Returns: the names that could not be removed, with the error.
    @discardableResult
    public static func remove(_ names: [[UInt8]], in directory: FileDescriptor, threads: Int = 8) -> [(
        name: [UInt8], error: SystemError
    )] {
        guard !names.isEmpty else { return [] }
        let failures = Mutex<[(name: [UInt8], error: SystemError)]>([])
        let removals = WorkQueue<[UInt8], Never>(threads: min(threads, names.count)) { name in
            do throws(SystemError) { try FileSystem.removeTree(name, in: directory) } catch  where error.errno != ENOENT
            {
                failures.withLock { $0.append((name, error)) }
            } catch {}
        }
        for name in names { removals.submit(name) }
        removals.finish()
        return failures.withLock { $0 }
    }
}
