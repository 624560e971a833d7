import Dispatch
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
        let work = Work(names: names)
        let count = max(1, min(threads, names.count))
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            BackgroundThread.start {
                work.run(in: directory)
                done.signal()
            }
        }
        for _ in 0..<count { done.wait() }
        return work.failures.withLock { $0 }
    }

    private final class Work: Sendable {
        let names: [[UInt8]]
        let next = Atomic<Int>(0)
        let failures = Mutex<[(name: [UInt8], error: SystemError)]>([])

        init(names: [[UInt8]]) { self.names = names }

        func run(in directory: FileDescriptor) {
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < names.count else { return }
                do { try FileSystem.removeTree(names[index], in: directory) } catch  where error.errno != ENOENT {
                    failures.withLock { $0.append((names[index], error)) }
                } catch {}
            }
        }
    }
}
