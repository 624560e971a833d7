import KeelLinux
import SystemPackage

/// Makes finished files durable on a thread of its own (`fsync`, then `close`), so writing a
/// big file to disk overlaps with reading, hashing and writing the next one; a later `fsync` of
/// the same file then returns at once.
///
/// The first failure is kept and thrown by `finish()`: a failed `fsync` may not be reported
/// again to a later one, so it must not be lost. Files handed over after it are closed unsynced
/// (the restore fails anyway).
final class BackgroundSyncer {
    /// A descriptor to make durable, what to call it in an error, and whether to flush its whole
    /// file system.
    private struct Job: Sendable {
        let fd: FileDescriptor
        let label: String
        let wholeFileSystem: Bool
    }

    private let jobs = WorkQueue<Job, FileTreeError>(
        perform: { job throws(FileTreeError) in
            defer { FileSystem.close(job.fd) }
            do throws(SystemError) {
                if job.wholeFileSystem { try FileSystem.syncFileSystem(job.fd) } else { try FileSystem.sync(job.fd) }
            } catch {
                throw FileTreeError(path: job.label, problem: .system(error))
            }
        },
        discard: { job in FileSystem.close(job.fd) })

    /// Starts the thread.
    init() {}

    /// Takes `fd` (the syncer closes it) to make durable; `label` names it in an error.
    func add(_ fd: FileDescriptor, label: String) {
        jobs.submit(Job(fd: fd, label: label, wholeFileSystem: false))
    }

    /// Takes `fd` (the syncer closes it) and flushes the whole file system holding it
    /// (`syncfs`), so the writes made so far reach the disk while more are being made.
    func flushFileSystem(_ fd: FileDescriptor, label: String) {
        jobs.submit(Job(fd: fd, label: label, wholeFileSystem: true))
    }

    /// Waits until every file handed over is durable and closed; throws the first failure.
    func finish() throws(FileTreeError) {
        try jobs.finish()
    }
}
