import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// An archive file opened for reading at any offset: the one descriptor that `FileByteSource`
/// and `ZipReader` read through, closed when the last of them lets go.
final class ArchiveFile {
    /// The path the file was opened by, for messages.
    let path: String
    /// The open descriptor.
    let descriptor: FileDescriptor
    /// The size when it was opened.
    let size: UInt64

    /// Opens `path`, following symlinks (as a command opens a file a user named).
    ///
    /// - Throws: `ArchiveError` when it cannot be opened or is not a regular file.
    init(path: String) throws(ArchiveError) {
        self.path = path
        let descriptor: FileDescriptor
        let status: FileStatus
        do throws(SystemError) {
            descriptor = try FileSystem.openForReading(Array(try Self.resolveSymlinks(path).utf8))
            do { status = try FileSystem.status(of: descriptor) } catch {
                FileSystem.close(descriptor)
                throw error
            }
        } catch {
            throw ArchiveError("cannot open the archive: \(error)")
        }
        guard status.kind == .regular else {
            FileSystem.close(descriptor)
            throw ArchiveError("cannot open the archive: \(path) is not a regular file")
        }
        self.descriptor = descriptor
        size = status.size
    }

    /// `path` with its final symlinks followed (at most 40, as the kernel allows).
    private static func resolveSymlinks(_ path: String) throws(SystemError) -> String {
        var name = path
        for _ in 0..<40 {
            guard try FileSystem.status(of: Array(name.utf8)).kind == .symlink else { return name }
            let target = FileSystem.display(try FileSystem.readLink(Array(name.utf8)))
            if target.hasPrefix("/") {
                name = target
            } else {
                name = (name.lastIndex(of: "/").map { String(name[...$0]) } ?? "") + target
            }
        }
        throw SystemError(call: "open", path: path, errno: ELOOP)
    }

    deinit { FileSystem.close(descriptor) }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only where the file ends.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(ArchiveError) -> Int {
        do { return try FileSystem.read(descriptor, into: buffer, at: offset) } catch {
            throw ArchiveError("cannot read the archive: \(error)")
        }
    }

    /// Reads `count` bytes at `offset`, or fewer where the file ends.
    func read(count: Int, at offset: UInt64) throws(ArchiveError) -> [UInt8] {
        do { return try FileSystem.read(descriptor, count: count, at: offset) } catch {
            throw ArchiveError("cannot read the archive: \(error)")
        }
    }
}
