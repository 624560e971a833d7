import KeelLinux
import SystemPackage

/// Creates small files on background threads, so restoring a tree of many files keeps every
/// core busy in the kernel (creating an inode and writing a few kilobytes costs far more than
/// parsing them) while the caller goes on parsing.
///
/// The caller creates directories itself, in order, and adds each file, with the directory it
/// goes in, to the batch being filled: its name and contents are copied into the batch's
/// buffer, which goes to a writer thread (a `WorkQueue`) once full. Batches are recycled
/// through a `RecyclingPool`, so restoring thousands of files allocates nothing per file
/// (threads freeing each other's allocations made glibc's malloc lock the bottleneck), and the
/// queue's locking is paid once per batch of up to `FileBatch.maxEntries` files. Memory is
/// bounded by `maxBatches` buffers, and open directories by `maxBatches × FileBatch.maxEntries`
/// (each queued file keeps its directory open). The first failure is kept: later batches are
/// dropped (their directories let go) and `drain()` throws it.
final class FileWriterPool {
    /// The largest file a batch takes.
    static let maxFileSize = 1 << 20

    private let writers: WorkQueue<FileBatch, FileTreeError>
    private let batches: RecyclingPool<FileBatch>
    /// The batch the caller is filling.
    private var current: FileBatch?

    /// Starts `threads` writer threads; with `canonical`, every file gets the canonical mtime.
    init(canonical: Bool, threads: Int = 2, maxBatches: Int = 6) {
        let batches = RecyclingPool<FileBatch>(limit: max(2, maxBatches))
        self.batches = batches
        writers = WorkQueue(
            threads: threads,
            perform: { batch throws(FileTreeError) in
                defer { batches.put(batch) }
                if let failure = batch.write(skipping: false, canonical: canonical) { throw failure }
            },
            discard: { batch in
                _ = batch.write(skipping: true, canonical: canonical)
                batches.put(batch)
            })
    }

    /// Adds a file of `size` bytes named `name` in `directory` to the current batch (holding the
    /// directory until it is written) and returns where its contents go; the caller fills all of
    /// it before the next call. Throws the first failure so far.
    func addFile(
        named name: [UInt8], in directory: PendingDirectory, permissions: UInt32, size: Int
    ) throws(FileTreeError) -> UnsafeMutableRawBufferPointer {
        if current == nil || !current!.hasRoom(name: name.count, size: size) {
            if let full = current { writers.submit(full) }
            current = nil
            let batch = batches.take { FileBatch(capacity: Self.maxFileSize + 4096) }
            if let failure = writers.failure {
                batches.put(batch)
                throw failure
            }
            current = batch
        }
        return current!.add(name: name, directory: directory, permissions: permissions, size: size)
    }

    /// Hands the last batch to the writers, waits until every file is written and the threads
    /// have stopped, and throws the first failure. The pool takes no more files afterwards.
    func drain() throws(FileTreeError) {
        if let last = current { writers.submit(last) }
        current = nil
        try writers.finish()
    }
}

/// Files waiting to be written: their names (NUL-terminated) and contents in one buffer.
final class FileBatch: @unchecked Sendable {
    /// The most files one batch holds.
    static let maxEntries = 64

    private struct Entry {
        let directory: PendingDirectory
        let name: Int
        let contents: Range<Int>
        let permissions: UInt32
    }

    private let buffer: UnsafeMutableRawBufferPointer
    private var entries: [Entry] = []
    private var used = 0

    init(capacity: Int) {
        buffer = .allocate(byteCount: capacity, alignment: 4096)
        entries.reserveCapacity(Self.maxEntries)
    }

    deinit { buffer.deallocate() }

    /// Whether a file with a name of `name` bytes and `size` bytes of contents fits.
    func hasRoom(name: Int, size: Int) -> Bool {
        entries.count < Self.maxEntries && used + name + 1 + size <= buffer.count
    }

    /// Records a file and returns the space for its contents.
    func add(name: [UInt8], directory: PendingDirectory, permissions: UInt32, size: Int)
        -> UnsafeMutableRawBufferPointer
    {
        let nameStart = used
        name.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[nameStart...]).copyMemory(from: $0) }
        buffer[nameStart + name.count] = 0
        let contents = nameStart + name.count + 1..<nameStart + name.count + 1 + size
        used = contents.upperBound
        directory.hold()
        entries.append(Entry(directory: directory, name: nameStart, contents: contents, permissions: permissions))
        return UnsafeMutableRawBufferPointer(rebasing: buffer[contents])
    }

    /// Writes every file (unless `skipping`), lets go of their directories and empties the
    /// batch; returns the first failure.
    func write(skipping: Bool, canonical: Bool) -> FileTreeError? {
        var failure: FileTreeError?
        for entry in entries {
            if !skipping, failure == nil { failure = write(entry, canonical: canonical) }
            do { try entry.directory.release() } catch { failure = failure ?? error }
        }
        entries.removeAll(keepingCapacity: true)
        used = 0
        return failure
    }

    private func write(_ entry: Entry, canonical: Bool) -> FileTreeError? {
        let name = UnsafeRawPointer(buffer.baseAddress! + entry.name).assumingMemoryBound(to: CChar.self)
        do {
            let file = try FileSystem.createFile(cString: name, in: entry.directory.fd, permissions: entry.permissions)
            defer { FileSystem.close(file) }
            try SystemCall.writeAll(file.rawValue, UnsafeRawBufferPointer(rebasing: buffer[entry.contents]))
            if canonical { try FileSystem.setTimes(file, seconds: TreeCopier.canonicalTime) }
            return nil
        } catch {
            return FileTreeError(path: entry.directory.label + "/" + String(cString: name), problem: .system(error))
        }
    }
}
