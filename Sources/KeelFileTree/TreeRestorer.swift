import KeelFormats
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Creates the tree a NAR describes at a destination, as a `NARVisitor`.
///
/// The tree is built under a hidden temporary name beside the destination and renamed into place
/// by `commit()` (never replacing anything), so the destination appears complete or not at all.
/// Nothing is written outside it: entry names arrive validated by `NARReader`, directories are
/// opened with `O_NOFOLLOW`, files are created with `O_EXCL | O_NOFOLLOW`, and symlinks are
/// created as links and never followed.
///
/// Small files are written by a `FileWriterPool` on background threads while parsing goes on;
/// `commit()` waits for them. In canonical mode (for the store) every object is created in its
/// canonical form (spec/nix-formats.md §8) — files 0444 or 0555, directories 0555 once full,
/// every mtime 1 — so no second pass over the tree is needed; each big file is made durable on a
/// background thread as soon as it is written, and every few megabytes of small files the file
/// system is flushed there too, so the caller's own flush has little left to wait for.
///
/// - Important: call `commit()` after a successful parse, or `abandon()` after a failure, to
///   remove the temporary tree.
public struct TreeRestorer: NARVisitor {
    private let destination: String
    private let destinationName: [UInt8]
    private let temporaryName: [UInt8]
    private let parent: FileDescriptor
    /// Whether the restorer opened `parent` (and so closes it).
    private let ownsParent: Bool
    private let canonical: Bool
    private var directories: [PendingDirectory] = []
    private var file: OpenFile?
    private var names: [[UInt8]] = []
    private var created = false
    /// The writers, syncer and early flushes: the restorer's own, made at the first file that
    /// needs them, or a session shared with other restorers.
    private var session: RestoreSession?
    /// Whether `session` is shared (then `commit()` does not wait for it).
    private let sharesSession: Bool
    /// Set once `commit()` or `abandon()` has released everything.
    private var ended = false

    /// The file being restored: written directly, or collected for the pool.
    private enum OpenFile {
        case direct(FileDescriptor)
        case pooled(contents: UnsafeMutableRawBufferPointer, filled: Int)
    }

    /// Prepares to restore into `destination`, which must not exist.
    ///
    /// - Throws: `FileTreeError` when the destination exists or its parent cannot be opened.
    public init(destination: String) throws {
        self.destination = destination
        var parentPath = "."
        var name = destination
        if let slash = destination.lastIndex(of: "/") {
            parentPath = slash == destination.startIndex ? "/" : String(destination[..<slash])
            name = String(destination[destination.index(after: slash)...])
        }
        guard !name.isEmpty, name != ".", name != ".." else {
            throw FileTreeError(path: destination, problem: .system(SystemError(call: "restore", errno: EINVAL)))
        }
        destinationName = Array(name.utf8)
        temporaryName = Array(".\(name).keel-restore-\(getpid())".utf8)
        ownsParent = true
        canonical = false
        sharesSession = false
        do {
            parent = try FileSystem.openDirectory(Array(parentPath.utf8))
        } catch {
            throw FileTreeError(path: parentPath, problem: .system(error))
        }
        if (try? FileSystem.status(of: destinationName, in: parent)) != nil {
            FileSystem.close(parent)
            throw FileTreeError(path: destination, problem: .destinationExists)
        }
        try? FileSystem.removeTree(temporaryName, in: parent)
    }

    /// Prepares to create the tree directly as `name` inside `directory` (which stays open and
    /// the caller's); the caller owns the name and moves it into place itself. `commit()` then
    /// only waits for the writers and closes what the restorer opened.
    ///
    /// - Parameter canonical: create every object in canonical store form.
    public init(creating name: [UInt8], in directory: FileDescriptor, label: String, canonical: Bool = false) {
        destination = label
        destinationName = name
        temporaryName = name
        parent = directory
        ownsParent = false
        self.canonical = canonical
        sharesSession = false
    }

    /// Prepares to create a canonical store tree as `name` inside `directory`, like
    /// `init(creating:in:label:canonical:)`, with `session`'s writers and syncer: `commit()`
    /// does not wait for them, `session.finish()` does, for every tree of the session.
    public init(creating name: [UInt8], in directory: FileDescriptor, label: String, session: RestoreSession) {
        destination = label
        destinationName = name
        temporaryName = name
        parent = directory
        ownsParent = false
        canonical = true
        self.session = session
        sharesSession = true
    }

    /// The session, made now if the restorer has none yet.
    private mutating func background() -> RestoreSession {
        if let session { return session }
        let made = RestoreSession(canonical: canonical, directory: parent)
        session = made
        return made
    }

    private func path(_ name: [UInt8]?) -> String {
        var path = destination
        for component in names + (name.map { [$0] } ?? []) { path += "/" + FileSystem.display(component) }
        return path
    }

    private mutating func target(_ name: [UInt8]?) -> (FileDescriptor, [UInt8]) {
        if let name { return (directories[directories.count - 1].fd, name) }
        created = true
        return (parent, temporaryName)
    }

    private func fail(_ error: SystemError, _ name: [UInt8]?) -> FileTreeError {
        FileTreeError(path: path(name), problem: .system(error))
    }

    /// Creates a directory and enters it.
    public mutating func beginDirectory(name: [UInt8]?) throws {
        let (directory, entry) = target(name)
        let opened: FileDescriptor
        do {
            try FileSystem.makeDirectory(entry, in: directory, permissions: 0o755)
            opened = try FileSystem.openDirectory(entry, in: directory)
        } catch { throw fail(error, name) }
        directories.append(
            PendingDirectory(fd: opened, label: path(name), parent: directories.last, canonical: canonical))
        if let name { names.append(name) }
    }

    /// Leaves the current directory; it is finished once the files queued into it are written.
    public mutating func endDirectory() throws {
        let left = directories.removeLast()
        if !directories.isEmpty { names.removeLast() }
        try left.release()
    }

    /// Creates a file: executable (0755, or 0555 canonical) or not (0644, or 0444 canonical).
    public mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {
        let permissions: UInt32 =
            canonical ? (executable ? 0o555 : 0o444) : (executable ? 0o755 : 0o644)
        if let name, size <= UInt64(FileWriterPool.maxFileSize) {
            let contents = try background().addFile(
                named: name, in: directories[directories.count - 1], permissions: permissions, size: Int(size))
            file = .pooled(contents: contents, filled: 0)
            names.append(name)
            return
        }
        let (directory, entry) = target(name)
        do {
            file = .direct(try FileSystem.createFile(entry, in: directory, permissions: permissions))
        } catch { throw fail(error, name) }
        if let name { names.append(name) }
    }

    /// Writes (or collects) a chunk of the current file.
    public mutating func contents(_ chunk: UnsafeRawBufferPointer) throws {
        switch file {
        case .direct(let fd):
            do { try SystemCall.writeAll(fd.rawValue, chunk) } catch { throw fail(error, nil) }
        case .pooled(let contents, let filled):
            guard filled + chunk.count <= contents.count else {
                throw FileTreeError(path: path(nil), problem: .changedWhileReading)
            }
            UnsafeMutableRawBufferPointer(rebasing: contents[filled..<filled + chunk.count]).copyMemory(from: chunk)
            file = .pooled(contents: contents, filled: filled + chunk.count)
        case nil:
            break
        }
    }

    /// Finishes the current file: closes it (a pooled one is written once its batch is full).
    public mutating func endFile() throws {
        let current = file
        file = nil
        // The file's path names it in errors and to the syncer; built only when needed, as
        // restoring thousands of small files would otherwise spend its time building strings.
        defer { if !directories.isEmpty { names.removeLast() } }
        switch current {
        case .direct(let fd):
            guard canonical else {
                FileSystem.close(fd)
                return
            }
            do { try FileSystem.setTimes(fd, seconds: TreeCopier.canonicalTime) } catch {
                FileSystem.close(fd)
                throw FileTreeError(path: path(nil), problem: .system(error))
            }
            background().makeDurable(fd, label: path(nil))
        case .pooled(let contents, let filled):
            guard filled == contents.count else { throw FileTreeError(path: path(nil), problem: .changedWhileReading) }
        case nil:
            break
        }
    }

    /// Creates a symlink (never followed).
    public mutating func symlink(name: [UInt8]?, target linkTarget: [UInt8]) throws {
        let (directory, entry) = target(name)
        do {
            try FileSystem.makeSymlink(entry, target: linkTarget, in: directory)
            if canonical { try FileSystem.setTimes(entry, in: directory, seconds: TreeCopier.canonicalTime) }
        } catch { throw fail(error, name) }
    }

    /// Waits for the queued files, then moves the finished tree to its destination.
    public mutating func commit() throws {
        do { try finishWriting() } catch {
            abandon()
            throw error
        }
        ended = true
        guard ownsParent else { return }
        defer { FileSystem.close(parent) }
        do {
            try FileSystem.renameNoReplace(temporaryName, in: parent, to: destinationName, in: parent)
        } catch {
            try? FileSystem.removeTree(temporaryName, in: parent)
            if error.errno == EEXIST { throw FileTreeError(path: destination, problem: .destinationExists) }
            throw FileTreeError(path: destination, problem: .system(error))
        }
    }

    /// Removes whatever was created. A restorer of a session finishes the session first (no
    /// writer may still be filling the tree): the session takes no more trees afterwards.
    public mutating func abandon() {
        guard !ended else { return }
        ended = true
        try? finishWriting()
        try? session?.finish()
        if created { try? FileSystem.removeTree(temporaryName, in: parent) }
        if ownsParent { FileSystem.close(parent) }
    }

    /// Waits for the writer pool and lets go of every directory still open; throws the first
    /// failure.
    private mutating func finishWriting() throws {
        var failure: (any Error)?
        switch file {
        case .direct(let fd): FileSystem.close(fd)
        case .pooled: break
        case nil: break
        }
        file = nil
        while let directory = directories.popLast() {
            do { try directory.release() } catch { failure = failure ?? error }
        }
        // A shared session is waited for by its owner's `finish()`.
        if !sharesSession {
            do { try session?.finish() } catch { failure = failure ?? error }
            session = nil
        }
        if let failure { throw failure }
    }
}
