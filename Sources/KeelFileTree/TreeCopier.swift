import KeelLinux
import SystemPackage

/// Copies a file-system tree into its canonical store form (spec/nix-formats.md §8): files
/// 0444, or 0555 when the source's owner-execute bit is set; directories 0555; no setuid,
/// setgid or sticky bits; every mtime (symlinks included) 1 second after the epoch; owned by
/// the calling process. File contents are copied in the kernel (`copy_file_range`).
///
/// Fifos, sockets and devices are refused with an error naming the file. Symlinks are copied as
/// links and never followed.
public enum TreeCopier {
    /// The modification time of every canonical store object.
    public static let canonicalTime = 1

    /// Copies the tree at `source` to `name` inside `directory` (which must not exist there).
    ///
    /// - Throws: `FileTreeError` naming the source file.
    public static func copy(source: String, into directory: FileDescriptor, name: [UInt8]) throws {
        let sourceName = Array(source.utf8)
        let info: FileStatus
        do { info = try FileSystem.status(of: sourceName) } catch {
            throw FileTreeError(path: source, problem: .system(error))
        }
        try copyNode(
            sourceName, kind: info.kind, in: FileSystem.currentDirectory, path: source, to: name, in: directory)
    }

    private static func copyNode(
        _ name: [UInt8], kind: FileKind, in parent: FileDescriptor, path: String,
        to target: [UInt8], in destination: FileDescriptor
    ) throws {
        func fail(_ error: SystemError) -> FileTreeError { FileTreeError(path: path, problem: .system(error)) }
        var kind = kind
        if kind == .unknown {
            do { kind = try FileSystem.status(of: name, in: parent).kind } catch { throw fail(error) }
        }
        switch kind {
        case .symlink:
            do {
                let link = try FileSystem.readLink(name, in: parent)
                try FileSystem.makeSymlink(target, target: link, in: destination)
                try FileSystem.setTimes(target, in: destination, seconds: canonicalTime)
            } catch { throw fail(error) }
        case .regular:
            let input: FileDescriptor
            do { input = try FileSystem.openForReading(name, in: parent) } catch { throw fail(error) }
            defer { FileSystem.close(input) }
            do {
                let info = try FileSystem.status(of: input)
                guard info.kind == .regular else { throw FileTreeError(path: path, problem: .unsupportedType) }
                let output = try FileSystem.createFile(target, in: destination, permissions: 0o600)
                defer { FileSystem.close(output) }
                try FileSystem.copyContents(from: input, to: output, size: info.size)
                try FileSystem.setPermissions(output, info.isOwnerExecutable ? 0o555 : 0o444)
                try FileSystem.setTimes(target, in: destination, seconds: canonicalTime)
            } catch let error as SystemError { throw fail(error) }
        case .directory:
            let source: FileDescriptor
            do { source = try FileSystem.openDirectory(name, in: parent) } catch { throw fail(error) }
            defer { FileSystem.close(source) }
            let created: FileDescriptor
            do {
                try FileSystem.makeDirectory(target, in: destination, permissions: 0o700)
                created = try FileSystem.openDirectory(target, in: destination)
            } catch { throw fail(error) }
            defer { FileSystem.close(created) }
            let entries: [DirectoryEntry]
            do { entries = try DirectoryListing.read(source) } catch { throw fail(error) }
            for entry in entries {
                try copyNode(
                    entry.name, kind: entry.kind, in: source, path: path + "/" + FileSystem.display(entry.name),
                    to: entry.name, in: created)
            }
            do {
                try FileSystem.setPermissions(created, 0o555)
                try FileSystem.setTimes(target, in: destination, seconds: canonicalTime)
            } catch { throw fail(error) }
        case .special, .unknown:
            throw FileTreeError(path: path, problem: .unsupportedType)
        }
    }
}
