import Dispatch
import KeelFileTree
import KeelFormats
import KeelLinux
import Synchronization
import SystemPackage

extension LocalStore {
    /// Adds the tree at `source`, less the entries `filter` leaves out (those its `.gitignore`
    /// and `.keelignore` files exclude, and `.git`), as a source path and returns it: the path
    /// `nix-store --add` gives a copy of the tree with those entries deleted, in this store
    /// directory.
    ///
    /// The filtered tree is hashed first, so content already valid is not written again.
    /// Otherwise its NAR is streamed from a thread of its own into `addNAR`, which restores it
    /// under a temporary name in canonical form and, if its hash is still the one computed
    /// first, makes it durable, renames it into place under the path's lock and registers it.
    /// - Parameters:
    ///   - source: the tree to add.
    ///   - name: the store path name; defaults to the source's last component.
    ///   - filter: which entries to leave out.
    /// - Throws: `StoreError`: `.badInput` for an invalid name, a special file, an unreadable
    ///   ignore file or a source that changed while it was added; `.fileSystem` or `.database`
    ///   otherwise.
    @discardableResult
    public func add(_ source: String, name: String? = nil, filter: SourceTreeFilter) throws(StoreError) -> StorePath {
        let trimmed = source.count > 1 && source.hasSuffix("/") ? String(source.dropLast()) : source
        let name = name ?? String(trimmed.split(separator: "/").last ?? Substring(trimmed))
        do { try StorePath.validateName(name) } catch { throw StoreError(.badInput, error.description) }
        let collectionLock = try lockAgainstCollection()
        defer { withExtendedLifetime(collectionLock) {} }
        let hash: NixHash
        do { hash = try TreeDumper.hash(path: source, filter: filter).hash } catch {
            throw Self.readFailure(error, of: source)
        }
        let path: StorePath
        do {
            path = try StorePathComputer(storeDirectory: layout.storeDirectory).sourcePath(narHash: hash, name: name)
        } catch { throw StoreError(.badInput, error.description) }
        if try isValid(path) { return path }
        let stream = try FilteredNARStream(source: source, filter: filter)
        let added: Result<StorePath, StoreError>
        do throws(StoreError) {
            let reading = FileDescriptorSource(fd: stream.reading)
            added = .success(try addNAR(from: reading, name: name, expectedHash: hash))
        } catch {
            added = .failure(error)
        }
        if let failure = stream.finish() { throw failure }
        switch added {
        case .success(let added):
            return added
        case .failure(let error) where error.code == .badInput:
            // The NAR came whole from the walk: only its hash can be wrong.
            throw StoreError(.badInput, "'\(source)' changed while it was being added", cause: error)
        case .failure(let error):
            throw error
        }
    }
}

/// The NAR of a filtered tree, written into a pipe by a thread of its own for a reader on the
/// caller's thread.
private final class FilteredNARStream: Sendable {
    private let pipe: PipeEnds
    private let failure = Mutex<StoreError?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts writing the NAR of `source` filtered by `filter`.
    init(source: String, filter: SourceTreeFilter) throws(StoreError) {
        do { pipe = try PipeEnds() } catch { throw StoreError(.fileSystem, "cannot make a pipe", cause: error) }
        DetachedThread.start { [self] in
            do {
                try TreeDumper.write(path: source, filter: filter, to: FileDescriptor(rawValue: pipe.writing))
            } catch {
                let failed = LocalStore.readFailure(error, of: source)
                self.failure.withLock { $0 = failed }
            }
            FileSystem.close(FileDescriptor(rawValue: pipe.writing))
            finished.signal()
        }
    }

    /// The end the NAR is read from.
    var reading: FileDescriptor { FileDescriptor(rawValue: pipe.reading) }

    /// Reads and drops what the reader left (so the writer never blocks on a full pipe or
    /// writes to a closed one), waits for the writer, closes the pipe, and returns the writer's
    /// failure, if any.
    func finish() -> StoreError? {
        var rest = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try? rest.withUnsafeMutableBytes { buffer throws(SystemError) in
                try SystemCall.read(pipe.reading, into: buffer)
            }
            if (count ?? 0) == 0 { break }
        }
        finished.wait()
        FileSystem.close(reading)
        return failure.withLock { $0 }
    }
}
