import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Decides which entries of a source tree are kept, as git decides which files are ignored:
/// the patterns of each directory's `.gitignore`, then its `.keelignore` (same syntax, applied
/// after, so it can override), apply to the entries below that directory, a deeper directory's
/// patterns taking precedence over its parents'. An excluded directory is left out whole (it is
/// not even read, so nothing below it can be re-included), and `.git` is always left out.
///
/// The ignore files are read as a walk descends (`TreeDumper`'s `filter`): each directory gets
/// a `Scope` holding the patterns in effect inside it. The ignore files themselves are kept,
/// as git keeps them; one that is a symlink or not a regular file is not read, as in git.
public struct SourceTreeFilter: Sendable {
    /// The names of the ignore files read in each directory, in the order their patterns apply.
    public let ignoreFileNames: [[UInt8]]

    /// A filter reading `.gitignore` and then `.keelignore` in each directory.
    public init() { ignoreFileNames = [Array(".gitignore".utf8), Array(".keelignore".utf8)] }

    /// A filter reading the ignore files named `ignoreFileNames` in each directory, in that
    /// order.
    public init(ignoreFileNames: [[UInt8]]) { self.ignoreFileNames = ignoreFileNames }

    /// The patterns in effect inside one directory of the tree.
    public struct Scope: Sendable {
        /// The directory's path from the root of the tree, ending with `/` (empty at the root).
        public let directoryPath: [UInt8]
        /// The patterns of this directory and its ancestors, the root's first, each with the
        /// length of `directoryPath` at the directory it was read in.
        let levels: [(baseLength: Int, patterns: IgnorePatterns)]
    }

    /// Reads the ignore files of a directory and returns the scope inside it.
    ///
    /// - Parameters:
    ///   - directory: the directory, open.
    ///   - entries: its entries (to see which ignore files it has).
    ///   - name: its name in its parent, nil at the root of the tree.
    ///   - parent: the scope of its parent, nil at the root.
    ///   - label: the directory's path for error messages.
    /// - Throws: `FileTreeError` naming an ignore file that cannot be read.
    public func scope(
        inside directory: FileDescriptor, entries: [DirectoryEntry], named name: [UInt8]?, within parent: Scope?,
        label: @autoclosure () -> String
    ) throws(FileTreeError) -> Scope {
        var path = parent?.directoryPath ?? []
        if let name {
            path += name
            path.append(UInt8(ascii: "/"))
        }
        var levels = parent?.levels ?? []
        var patterns = IgnorePatterns()
        for fileName in ignoreFileNames {
            guard let entry = entries.first(where: { $0.name == fileName }),
                entry.kind == .regular || entry.kind == .unknown
            else { continue }
            do {
                if let text = try Self.readIgnoreFile(fileName, in: directory) { patterns.append(parsing: text) }
            } catch {
                throw FileTreeError(path: label() + "/" + FileSystem.display(fileName), problem: .system(error))
            }
        }
        if !patterns.isEmpty { levels.append((path.count, patterns)) }
        return Scope(directoryPath: path, levels: levels)
    }

    /// The entries of `directory` (whose scope is `scope`) that are kept, in their order.
    ///
    /// An entry whose kind the listing did not give is looked up; if that fails it is judged as
    /// a file, and the walk reports the failure when it reaches the entry.
    public func kept(_ entries: [DirectoryEntry], of directory: FileDescriptor, in scope: Scope) -> [DirectoryEntry] {
        entries.filter { entry in
            var kind = entry.kind
            if kind == .unknown { kind = (try? FileSystem.status(of: entry.name, in: directory).kind) ?? .unknown }
            return keeps(entry.name, isDirectory: kind == .directory, in: scope)
        }
    }

    /// Whether the entry `name` of the directory whose scope is `scope` is kept: `.git` never
    /// is; otherwise the deepest directory with a matching pattern decides, with its last
    /// matching pattern, and an entry no pattern matches is kept.
    ///
    /// - Parameter isDirectory: whether the entry is a directory (a symlink to one is not).
    public func keeps(_ name: [UInt8], isDirectory: Bool, in scope: Scope) -> Bool {
        if name == Self.gitDirectoryName { return false }
        guard !scope.levels.isEmpty else { return true }
        let path = scope.directoryPath + name
        return path.withUnsafeBufferPointer { buffer in
            for level in scope.levels.reversed() {
                let relative = UnsafeBufferPointer(rebasing: buffer[level.baseLength...])
                if let decision = level.patterns.decision(for: relative, isDirectory: isDirectory) {
                    return decision == .included
                }
            }
            return true
        }
    }

    /// Whether the entry at `relativePath` (components separated by `/`) in the tree at `root`
    /// is kept, outside a walk: it and every directory above it must be kept. Reads the ignore
    /// files of the directories on the way.
    ///
    /// - Throws: `FileTreeError` naming a directory on the way that cannot be read, or an
    ///   ignore file.
    public func keeps(_ relativePath: [UInt8], isDirectory: Bool, inTreeAt root: String) throws(FileTreeError)
        -> Bool
    {
        let components = relativePath.split(separator: UInt8(ascii: "/")).map(Array.init)
        var label = root
        var directory: FileDescriptor
        do { directory = try FileSystem.openDirectory(Array(root.utf8)) } catch {
            throw FileTreeError(path: label, problem: .system(error))
        }
        defer { FileSystem.close(directory) }
        var scope: Scope?
        var name: [UInt8]?
        for (index, component) in components.enumerated() {
            let entries: [DirectoryEntry]
            do { entries = try DirectoryListing.read(directory) } catch {
                throw FileTreeError(path: label, problem: .system(error))
            }
            let inside = try self.scope(inside: directory, entries: entries, named: name, within: scope, label: label)
            if index == components.count - 1 { return keeps(component, isDirectory: isDirectory, in: inside) }
            guard keeps(component, isDirectory: true, in: inside) else { return false }
            label += "/" + FileSystem.display(component)
            let child: FileDescriptor
            do { child = try FileSystem.openDirectory(component, in: directory) } catch {
                throw FileTreeError(path: label, problem: .system(error))
            }
            FileSystem.close(directory)
            directory = child
            (scope, name) = (inside, component)
        }
        return true
    }

    private static let gitDirectoryName = Array(".git".utf8)

    /// Reads an ignore file; nil when it is not a regular file (a symlink, say: git does not
    /// follow one either) or has gone.
    private static func readIgnoreFile(_ name: [UInt8], in directory: FileDescriptor) throws(SystemError) -> [UInt8]? {
        let fd: FileDescriptor
        do { fd = try FileSystem.openForReading(name, in: directory) } catch
            where [ENOENT, ELOOP].contains(error.errno)
        {
            return nil
        }
        defer { FileSystem.close(fd) }
        let info = try FileSystem.status(of: fd)
        guard info.kind == .regular else { return nil }
        return try FileSystem.read(fd, count: Int(info.size), at: 0)
    }
}
