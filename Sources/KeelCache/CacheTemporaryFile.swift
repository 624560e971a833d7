import Glibc
import KeelLinux
import SystemPackage

/// A file being written in a cache directory under a hidden temporary name, then published
/// under its final name by a rename that never replaces anything: a reader sees the whole file
/// or none of it, and a file already there is kept.
struct CacheTemporaryFile: Sendable {
    /// The directory holding the file.
    let directory: FileDescriptor
    /// That directory's path, for messages.
    let directoryPath: String
    /// The temporary name.
    let name: [UInt8]
    /// The open file, for writing.
    let fd: FileDescriptor

    /// Creates a new, empty temporary file in `directory` (at `directoryPath`).
    ///
    /// - Throws: `CacheError.Code.fileSystem` naming the directory.
    init(in directory: FileDescriptor, at directoryPath: String) throws(CacheError) {
        let name = Array(".keel-tmp-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))".utf8)
        do {
            fd = try FileSystem.createFile(name, in: directory, permissions: 0o644)
        } catch {
            throw CacheError(.fileSystem, "cannot create a file in '\(directoryPath)': \(error.reason)")
        }
        self.directory = directory
        self.directoryPath = directoryPath
        self.name = name
    }

    /// Writes all of `bytes`.
    ///
    /// - Throws: `CacheError.Code.fileSystem` naming the directory.
    func write(_ bytes: UnsafeRawBufferPointer) throws(CacheError) {
        do { try SystemCall.writeAll(fd.rawValue, bytes) } catch {
            throw CacheError(.fileSystem, "cannot write a file in '\(directoryPath)': \(error.reason)")
        }
    }

    /// Writes all of `bytes`.
    ///
    /// - Throws: `CacheError.Code.fileSystem` naming the directory.
    func write(_ bytes: [UInt8]) throws(CacheError) {
        do { try bytes.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) } } catch {
            throw CacheError(.fileSystem, "cannot write a file in '\(directoryPath)': \(error)")
        }
    }

    /// Closes the file and renames it to `finalName`; when that name is taken, the file there
    /// is kept and this one removed.
    ///
    /// - Returns: whether the file was published (false: the name was taken).
    /// - Throws: `CacheError.Code.fileSystem` naming the file; this one is removed.
    func publish(as finalName: String) throws(CacheError) -> Bool {
        FileSystem.close(fd)
        do {
            try FileSystem.renameNoReplace(name, in: directory, to: Array(finalName.utf8), in: directory)
            return true
        } catch  where error.errno == EEXIST {
            remove()
            return false
        } catch {
            remove()
            throw CacheError(.fileSystem, "cannot write '\(directoryPath)/\(finalName)': \(error.reason)")
        }
    }

    /// Closes and removes the file, after a failure.
    func discard() {
        FileSystem.close(fd)
        remove()
    }

    private func remove() {
        try? FileSystem.remove(name, in: directory, isDirectory: false)
    }
}
