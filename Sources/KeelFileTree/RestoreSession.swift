import KeelLinux
import SystemPackage

/// The writer threads, the background syncer and the early-flush count that several
/// `TreeRestorer`s restoring one after another on one thread can share (an import of many
/// paths), so the paths' trees are written and flushed as one stream: no threads started and
/// stopped per path, and no wait at each path's end for its files and flushes, only one in
/// `finish()`.
///
/// Not for restorers running at the same time on several threads: the file batch being filled
/// belongs to the one thread that restores. `finish()` must be called once every restorer has
/// committed or been abandoned, before anything relies on the trees being complete.
public final class RestoreSession {
    /// Writes small files; shared by the restorers.
    let pool: FileWriterPool
    /// Makes big files durable and flushes the file system early.
    let syncer = BackgroundSyncer()
    /// A directory on the file system the trees go to, for the early flushes.
    private let directory: FileDescriptor
    /// Small-file bytes restored since the last early flush.
    private var unflushedBytes = 0
    private var finished = false

    /// A session for canonical store trees (the only restores that flush early), restoring
    /// under `directory` (the caller's; it stays open).
    public init(canonicalIn directory: FileDescriptor) {
        self.directory = directory
        pool = FileWriterPool(canonical: true)
    }

    /// Counts `size` bytes of small files queued, flushing the file system in the background
    /// every `TreeRestorer.earlyFlushBytes`.
    func queued(_ size: Int) {
        unflushedBytes += size
        guard unflushedBytes >= TreeRestorer.earlyFlushBytes else { return }
        unflushedBytes = 0
        guard let fd = try? FileSystem.openDirectory(Array(".".utf8), in: directory) else { return }
        syncer.flushFileSystem(fd, label: "(restore)")
    }

    /// Waits until every file queued is written and every sync started is done; throws the
    /// first failure of either. Later calls do nothing.
    public func finish() throws(FileTreeError) {
        guard !finished else { return }
        finished = true
        var failure: FileTreeError?
        do { try pool.drain() } catch { failure = error }
        do { try syncer.finish() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }

    deinit { try? finish() }
}
