import Hummingbird
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Serves a cache directory (as `keel cache push` or `nix copy --to file://` write it)
/// read-only: any regular file under it that a checked request path names, reached without
/// following a symlink at any step, with `ETag`/`If-None-Match`, `Range` and `HEAD`.
struct CacheServerDirectory: CacheServerSource {
    /// The directory, as given.
    let path: String
    private let root: CacheServerOpenFile
    private let work: CacheServerBlockingWork

    /// Opens the cache directory at `path` (a symlink to it is fine) and checks that it is a
    /// binary cache.
    ///
    /// - Throws: `CacheError.Code.fileSystem` naming the directory when it is missing, not a
    ///   directory, unreadable or has no `nix-cache-info`.
    init(path: String, work: CacheServerBlockingWork) throws(CacheError) {
        let directory: FileDescriptor
        do { directory = try FileSystem.openDirectory(Array((path + "/.").utf8)) } catch {
            let reason =
                switch error.errno {
                case ENOENT: "does not exist"
                case ENOTDIR: "is not a directory"
                default: "cannot be opened: \(error.reason)"
                }
            throw CacheError(.fileSystem, "cache directory '\(path)' \(reason)")
        }
        root = CacheServerOpenFile(directory)
        let info: FileStatus
        do { info = try FileSystem.status(of: Array(CacheLayout.cacheInfoName.utf8), in: directory) } catch {
            throw CacheError(
                .fileSystem,
                "cache directory '\(path)' has no readable \(CacheLayout.cacheInfoName): not a binary cache "
                    + "(keel cache push or nix copy --to file://DIR write one)")
        }
        guard info.kind == .regular else {
            throw CacheError(.fileSystem, "'\(path)/\(CacheLayout.cacheInfoName)' is not a regular file")
        }
        self.path = path
        self.work = work
    }

    func reply(to request: CacheServerRequestPath, headers: HTTPFields) async -> CacheServerReply {
        let root = root
        let opened: (file: CacheServerOpenFile, status: FileStatus)?
        do {
            opened = try await work.run { () throws(CacheError) in try Self.open(request, in: root.fd) }
        } catch {
            return .text(.internalServerError, "\(error.message)\n")
        }
        guard let (file, status) = opened else { return .notFound(request.relative) }
        let size = status.size
        let entityTag =
            "\"\(String(status.inode, radix: 16))-\(String(size, radix: 16))-"
            + "\(String(status.modificationTime, radix: 16))\""
        var replyHeaders: HTTPFields = [
            .eTag: entityTag, .acceptRanges: "bytes", .contentType: Self.contentType(of: request),
        ]
        if CacheServerConditions.matches(ifNoneMatch: headers, entityTag: entityTag) {
            return CacheServerReply(.notModified, headers: [.eTag: entityTag])
        }
        switch CacheServerConditions.range(headers, entityTag: entityTag, size: size) {
        case .whole:
            let range = size > 0 ? 0...(size - 1) : nil
            return CacheServerReply(
                .ok, headers: replyHeaders,
                body: .stream(length: size) { CacheServerBodyProducer.file(file, range: range) })
        case .partial(let range):
            replyHeaders[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            return CacheServerReply(
                .partialContent, headers: replyHeaders,
                body: .stream(length: range.upperBound - range.lowerBound + 1) {
                    CacheServerBodyProducer.file(file, range: range)
                })
        case .unsatisfiable:
            return CacheServerReply(
                .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)", .eTag: entityTag])
        }
    }

    /// Opens the regular file `request` names under `root`, never following a symlink.
    ///
    /// - Returns: nil when there is no such regular file (or a symlink, or a directory, is in
    ///   the way).
    /// - Throws: `CacheError.Code.fileSystem` for other failures (an I/O error).
    private static func open(_ request: CacheServerRequestPath, in root: FileDescriptor) throws(CacheError)
        -> (CacheServerOpenFile, FileStatus)?
    {
        guard let name = request.components.last else { return nil }
        var directories: [CacheServerOpenFile] = []
        var parent = root
        do {
            for component in request.components.dropLast() {
                let directory = CacheServerOpenFile(try FileSystem.openDirectory(Array(component.utf8), in: parent))
                directories.append(directory)
                parent = directory.fd
            }
            let file = CacheServerOpenFile(
                try FileSystem.openForReading(Array(name.utf8), in: parent))
            let status = try FileSystem.status(of: file.fd)
            return status.kind == .regular ? (file, status) : nil
        } catch {
            if [ENOENT, ENOTDIR, ELOOP, EACCES, EISDIR, ENAMETOOLONG, ENXIO].contains(error.errno) { return nil }
            throw CacheError(.fileSystem, "cannot read '\(request.relative)': \(error.reason)")
        }
    }

    /// The media type of a cache file, by its name (Nix ignores it; browsers and proxies don't).
    private static func contentType(of request: CacheServerRequestPath) -> String {
        let name = request.relative
        if name == CacheLayout.cacheInfoName { return "text/x-nix-cache-info" }
        if request.components.count == 1 && name.hasSuffix(".narinfo") { return "text/x-nix-narinfo" }
        if request.components.first == CacheLayout.narDirectory { return "application/x-nix-nar" }
        return "application/octet-stream"
    }
}

/// An open file descriptor, closed when the last holder lets go: a reply that is never written
/// (a HEAD) closes its file as surely as one whose body was sent.
final class CacheServerOpenFile: Sendable {
    /// The descriptor.
    let fd: FileDescriptor

    /// Takes ownership of `fd`.
    init(_ fd: FileDescriptor) { self.fd = fd }

    deinit { FileSystem.close(fd) }
}
