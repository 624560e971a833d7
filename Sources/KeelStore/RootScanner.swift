import KeelFormats
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The collector's view of the GC roots directory: how it lists directories, reads links and
/// looks at entries. The live one goes through KeelLinux; tests swap in one that fails.
package struct RootFileAccess: Sendable {
    /// Lists the names in a directory.
    package var list: @Sendable (String) throws(SystemError) -> [[UInt8]]
    /// Reads a symlink's target.
    package var readLink: @Sendable (String) throws(SystemError) -> [UInt8]
    /// The kind of an entry, not following symlinks.
    package var kind: @Sendable (String) throws(SystemError) -> FileKind

    /// Makes a view from its three operations.
    package init(
        list: @escaping @Sendable (String) throws(SystemError) -> [[UInt8]],
        readLink: @escaping @Sendable (String) throws(SystemError) -> [UInt8],
        kind: @escaping @Sendable (String) throws(SystemError) -> FileKind
    ) {
        self.list = list
        self.readLink = readLink
        self.kind = kind
    }

    /// The file system itself.
    package static let live = RootFileAccess(
        list: { path throws(SystemError) in
            let directory = try FileSystem.openDirectory(Array(path.utf8))
            defer { FileSystem.close(directory) }
            return try DirectoryListing.read(directory).map(\.name)
        },
        readLink: { path throws(SystemError) in try FileSystem.readLink(Array(path.utf8)) },
        kind: { path throws(SystemError) in try FileSystem.status(of: Array(path.utf8)).kind })
}

/// Finds the GC roots under a directory, failing closed: any error other than an entry that
/// vanished while it was read aborts the scan, naming the root, so a root that cannot be read
/// is never taken for no root.
struct RootScanner {
    let access: RootFileAccess
    let storeDirectory: StoreDirectory

    /// Symlinks under `directory` (searched recursively, not through symlinked directories)
    /// whose target, followed through at most 8 further symlinks, lies in the store.
    func scan(_ directory: String) throws(StoreError) -> [GCRoot] {
        var found: [GCRoot] = []
        try scan(directory, into: &found)
        return found
    }

    private func scan(_ directory: String, into found: inout [GCRoot]) throws(StoreError) {
        let names: [[UInt8]]
        do { names = try access.list(directory) } catch let error where error.errno == ENOENT {
            return
        } catch {
            throw Self.unreadable(directory, error)
        }
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let location = directory + "/" + String(decoding: name, as: UTF8.self)
            let kind: FileKind
            do { kind = try access.kind(location) } catch let error where error.errno == ENOENT {
                continue
            } catch {
                throw Self.unreadable(location, error)
            }
            switch kind {
            case .directory:
                try scan(location, into: &found)
            case .symlink:
                if let target = try resolve(location) { found.append(GCRoot(location: location, target: target)) }
            default:
                continue
            }
        }
    }

    /// The store path `link` leads to, or nil when it leads elsewhere or nowhere (a link that
    /// vanished, dangles, or ends outside the store). Relative targets are resolved against the
    /// link's directory, with `.`, `..` and repeated slashes taken out.
    private func resolve(_ link: String) throws(StoreError) -> StorePath? {
        var current = link
        for _ in 0...Self.maximumLinks {
            let bytes: [UInt8]
            do { bytes = try access.readLink(current) } catch let error
                where [ENOENT, ENOTDIR, EINVAL].contains(error.errno)
            {
                return nil  // Gone, through a file, or not a symlink: it leads outside the store.
            } catch {
                throw Self.unreadable(link, error)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let parent = current.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(
                separator: "/")
            current = Self.normalised(text.hasPrefix("/") ? text : parent + "/" + text)
            if let (path, _) = try? storeDirectory.parseWithin(current) { return path }
        }
        throw StoreError(
            .fileSystem,
            "the GC root '\(link)' goes through more than \(Self.maximumLinks) further symlinks, so what it keeps alive is unknown; nothing was collected"
        )
    }

    /// How many symlinks a root may go through after its own.
    static let maximumLinks = 8

    /// `path` (absolute) with `.` and empty components dropped and `..` applied, lexically.
    static func normalised(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    private static func unreadable(_ location: String, _ error: SystemError) -> StoreError {
        StoreError(
            .fileSystem,
            "cannot read the GC root '\(location)', so what it keeps alive is unknown; nothing was collected",
            cause: error)
    }
}
