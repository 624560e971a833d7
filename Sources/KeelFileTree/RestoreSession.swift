import KeelLinux
import SystemPackage

/// The background work of restoring trees: the writer threads that create small files
/// (`FileWriterPool`), the thread that makes big files durable (`BackgroundSyncer`), and, in
/// canonical mode, a flush of the file system every `earlyFlushBytes` of small files, so the
/// caller's final flush has little left. Each is started when first needed.
///
/// A `TreeRestorer` makes a session of its own and waits for it in `commit()`. Restorers run
/// one after another on one thread can share one instead (an import of many paths): the trees
/// are then written and flushed as one stream, with no threads started and stopped per tree
/// and no wait at each tree's end, only one, in `finish()`. Not for restorers running at the
/// same time on several threads: the file batch being filled belongs to the one thread that
/// restores.
public final class RestoreSession {
    /// In canonical mode, after this many bytes of small files the file system is flushed in
    /// the background.
    static let earlyFlushBytes = 8 << 20

    private let canonical: Bool
    /// A directory on the file system the trees go to, for the early flushes.
    private let directory: FileDescriptor
    private var pool: FileWriterPool?
    private var syncer: BackgroundSyncer?
    /// Small-file bytes queued since the last early flush.
    private var unflushedBytes = 0
    private var finished = false

    /// A session for canonical store trees, restored under `directory` (the caller's; it stays
    /// open while the session runs).
    public convenience init(canonicalIn directory: FileDescriptor) {
        self.init(canonical: true, directory: directory)
    }

    init(canonical: Bool, directory: FileDescriptor) {
        self.canonical = canonical
        self.directory = directory
    }

    /// Queues a small file of `size` bytes named `name` in `directory` (see
    /// `FileWriterPool.addFile`) and returns where its contents go.
    func addFile(
        named name: [UInt8], in directory: PendingDirectory, permissions: UInt32, size: Int
    ) throws(FileTreeError) -> UnsafeMutableRawBufferPointer {
        if pool == nil { pool = FileWriterPool(canonical: canonical) }
        let contents = try pool!.addFile(named: name, in: directory, permissions: permissions, size: size)
        if canonical {
            unflushedBytes += size
            if unflushedBytes >= Self.earlyFlushBytes { flushEarly() }
        }
        return contents
    }

    /// Takes `fd` (the session closes it) to make durable on the syncer's thread; `label`
    /// names it in an error.
    func makeDurable(_ fd: FileDescriptor, label: String) {
        if syncer == nil { syncer = BackgroundSyncer() }
        syncer!.add(fd, label: label)
    }

    /// Starts a background `syncfs` of the trees' file system.
    private func flushEarly() {
        unflushedBytes = 0
        guard let fd = try? FileSystem.openDirectory(Array(".".utf8), in: directory) else { return }
        if syncer == nil { syncer = BackgroundSyncer() }
        syncer!.flushFileSystem(fd, label: "(restore)")
    }

    /// Waits until every file queued is written and every sync started is done; throws the
    /// first failure of either. Later calls do nothing.
    public func finish() throws(FileTreeError) {
        guard !finished else { return }
        finished = true
        var failure: FileTreeError?
        do { try pool?.drain() } catch { failure = error }
        do { try syncer?.finish() } catch { failure = failure ?? error }
        pool = nil
        syncer = nil
        if let failure { throw failure }
    }

    deinit { try? finish() }
}
