import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Unpacks a .tar, .tar.gz, .tar.xz or .zip archive into a new directory, as Nix's fetchzip
/// and fetchTarball do: the format comes from the file's first bytes, members are checked
/// before they are written (no absolute names, `..`, writes through symlinks, devices or
/// conflicting duplicates), hard links become copies, files are 0755 when the archive gave them
/// any execute bit and 0644 otherwise.
public enum ArchiveUnpacker {
    private static var bufferSize: Int { 256 * 1024 }

    /// Unpacks the archive `file` into `destination`, which must not exist and is created.
    ///
    /// The archive is unpacked into a temporary sibling of `destination` that is renamed into
    /// place at the end, so on any failure nothing is left at `destination` (and the temporary
    /// directory is removed).
    ///
    /// - Parameters:
    ///   - file: the archive (symlinks to it are followed).
    ///   - destination: the directory to create; its parent must exist.
    ///   - stripSingleTopDirectory: when the archive's top level is exactly one directory, its
    ///     contents become `destination` (that one component is stripped, like fetchzip);
    ///     otherwise the top level is kept.
    /// - Throws: `ArchiveError` naming the archive and, where there is one, the member at fault.
    public static func unpack(file: String, into destination: String, stripSingleTopDirectory: Bool)
        throws(ArchiveError)
    {
        do {
            try unpackChecked(file: file, into: destination, stripSingleTopDirectory: stripSingleTopDirectory)
        } catch {
            throw ArchiveError("\(file): \(error)")
        }
    }

    private static func unpackChecked(file: String, into destination: String, stripSingleTopDirectory: Bool)
        throws(ArchiveError)
    {
        let archive = try ArchiveFile(path: file)
        let format = try ArchiveFormat.detect(try archive.read(count: ArchiveFormat.leadingByteCount, at: 0))
        try requireAbsent(destination)
        let (parent, base) = split(destination)
        let temporary: String
        do { temporary = try FileSystem.makeTemporaryDirectory(in: parent, prefix: ".\(base).unpacking") } catch {
            throw ArchiveError("cannot make a temporary directory beside the destination: \(error)")
        }
        do {
            try extract(archive, format: format, into: temporary)
            try place(temporary, at: destination, stripSingleTopDirectory: stripSingleTopDirectory)
        } catch {
            removeTemporary(temporary)
            throw error
        }
    }

    private static func extract(_ archive: ArchiveFile, format: ArchiveFormat, into directory: String)
        throws(ArchiveError)
    {
        let writer = try TreeWriter(directory: directory)
        defer { writer.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        let file = FileByteSource(file: archive)
        switch format {
        case .tar:
            try TarExtraction.extract(TarReader(source: file), into: writer, buffer: buffer)
        case .gzipTar:
            try TarExtraction.extract(
                TarReader(source: try GzipDecompressor(source: file)), into: writer, buffer: buffer)
        case .xzTar:
            try TarExtraction.extract(TarReader(source: try XzDecompressor(source: file)), into: writer, buffer: buffer)
        case .zip:
            try ZipExtraction.extract(try ZipReader(file: archive), into: writer, buffer: buffer)
        }
    }

    /// Renames the unpacked tree (or its single top directory) to `destination`.
    private static func place(_ temporary: String, at destination: String, stripSingleTopDirectory: Bool)
        throws(ArchiveError)
    {
        do throws(SystemError) {
            let current = FileSystem.currentDirectory
            if stripSingleTopDirectory, let top = try singleTopDirectory(temporary) {
                let source = Array(temporary.utf8) + [UInt8(ascii: "/")] + top
                try FileSystem.renameNoReplace(source, in: current, to: Array(destination.utf8), in: current)
                try? FileSystem.remove(Array(temporary.utf8), in: current, isDirectory: true)
            } else {
                try FileSystem.setPermissions(Array(temporary.utf8), in: current, 0o755)
                try FileSystem.renameNoReplace(
                    Array(temporary.utf8), in: current, to: Array(destination.utf8), in: current)
            }
        } catch {
            throw ArchiveError("cannot move the unpacked tree to \(destination): \(error)")
        }
    }

    /// The name of the only entry of `directory` when it is a directory.
    private static func singleTopDirectory(_ directory: String) throws(SystemError) -> [UInt8]? {
        let descriptor = try FileSystem.openDirectory(Array(directory.utf8))
        defer { FileSystem.close(descriptor) }
        let entries = try DirectoryListing.read(descriptor)
        guard entries.count == 1, let only = entries.first else { return nil }
        let kind = only.kind == .unknown ? try FileSystem.status(of: only.name, in: descriptor).kind : only.kind
        return kind == .directory ? only.name : nil
    }

    /// Removes the temporary directory and whatever is left in it; a failure leaves it behind.
    private static func removeTemporary(_ temporary: String) {
        try? FileSystem.removeTree(Array(temporary.utf8))
    }

    private static func requireAbsent(_ destination: String) throws(ArchiveError) {
        do {
            _ = try FileSystem.status(of: Array(destination.utf8))
        } catch  where error.errno == ENOENT {
            return
        } catch {
            throw ArchiveError("cannot check the destination \(destination): \(error)")
        }
        throw ArchiveError("the destination \(destination) already exists")
    }

    /// The parent directory and last component of `path`.
    private static func split(_ path: String) -> (parent: String, base: String) {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        return (parent, String(trimmed[trimmed.index(after: slash)...]))
    }
}
