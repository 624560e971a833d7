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
/// - Important: call `commit()` after a successful parse, or `abandon()` after a failure, to
///   remove the temporary tree.
public struct TreeRestorer: NARVisitor {
    private let destination: String
    private let destinationName: [UInt8]
    private let temporaryName: [UInt8]
    private let parent: FileDescriptor
    /// Whether the restorer opened `parent` (and so closes it).
    private let ownsParent: Bool
    private var directories: [FileDescriptor] = []
    private var file: FileDescriptor?
    private var names: [[UInt8]] = []
    private var created = false

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
    /// only closes what the restorer opened.
    public init(creating name: [UInt8], in directory: FileDescriptor, label: String) {
        destination = label
        destinationName = name
        temporaryName = name
        parent = directory
        ownsParent = false
    }

    private func path(_ name: [UInt8]?) -> String {
        var path = destination
        for component in names + (name.map { [$0] } ?? []) { path += "/" + FileSystem.display(component) }
        return path
    }

    private mutating func target(_ name: [UInt8]?) -> (FileDescriptor, [UInt8]) {
        if let name { return (directories[directories.count - 1], name) }
        created = true
        return (parent, temporaryName)
    }

    private func fail(_ error: SystemError, _ name: [UInt8]?) -> FileTreeError {
        FileTreeError(path: path(name), problem: .system(error))
    }

    /// Creates a directory and enters it.
    public mutating func beginDirectory(name: [UInt8]?) throws {
        let (directory, entry) = target(name)
        do {
            try FileSystem.makeDirectory(entry, in: directory, permissions: 0o755)
            directories.append(try FileSystem.openDirectory(entry, in: directory))
        } catch { throw fail(error, name) }
        if let name { names.append(name) }
    }

    /// Leaves the current directory.
    public mutating func endDirectory() throws {
        FileSystem.close(directories.removeLast())
        if !directories.isEmpty { names.removeLast() }
    }

    /// Creates a file, executable (0755) or not (0644).
    public mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {
        let (directory, entry) = target(name)
        do {
            file = try FileSystem.createFile(entry, in: directory, permissions: executable ? 0o755 : 0o644)
        } catch { throw fail(error, name) }
        if let name { names.append(name) }
    }

    /// Writes a chunk of the current file.
    public mutating func contents(_ chunk: UnsafeRawBufferPointer) throws {
        guard let file else { return }
        do { try SystemCall.writeAll(file.rawValue, chunk) } catch { throw fail(error, nil) }
    }

    /// Closes the current file.
    public mutating func endFile() throws {
        if let file { FileSystem.close(file) }
        file = nil
        if !directories.isEmpty { names.removeLast() }
    }

    /// Creates a symlink (never followed).
    public mutating func symlink(name: [UInt8]?, target linkTarget: [UInt8]) throws {
        let (directory, entry) = target(name)
        do { try FileSystem.makeSymlink(entry, target: linkTarget, in: directory) } catch { throw fail(error, name) }
    }

    /// Moves the finished tree to its destination.
    public mutating func commit() throws {
        closeAll()
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

    /// Removes whatever was created.
    public mutating func abandon() {
        closeAll()
        if created { try? FileSystem.removeTree(temporaryName, in: parent) }
        if ownsParent { FileSystem.close(parent) }
    }

    private mutating func closeAll() {
        if let file { FileSystem.close(file) }
        file = nil
        for directory in directories { FileSystem.close(directory) }
        directories.removeAll()
    }
}
