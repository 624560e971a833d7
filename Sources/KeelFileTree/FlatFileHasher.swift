import KeelFormats
import KeelLinux
import SystemPackage

/// Hashes one regular file's contents (a "flat" hash), following symlinks as `nix hash file` does.
public enum FlatFileHasher {
    /// The hash of the file's bytes.
    ///
    /// - Throws: `FileTreeError` naming the file.
    public static func hash(path: String, algorithm: HashAlgorithm) throws -> NixHash {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch let error as Errno {
            throw FileTreeError(
                path: path, problem: .system(SystemError(call: "open", path: path, errno: error.rawValue)))
        }
        defer { FileSystem.close(fd) }
        var hasher = StreamingHasher(algorithm)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do { count = try SystemCall.read(fd.rawValue, into: buffer) } catch {
                throw FileTreeError(path: path, problem: .system(error))
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
        return hasher.finalize()
    }
}
