import Glibc
import SystemPackage

extension FileSystem {
    /// Replaces the file `name` in `directory` with `bytes` so that a reader (or a crash) sees
    /// the old file or the new one, never a mix: the bytes go to a temporary name
    /// (`.NAME.tmp-PID`) that is synced, renamed over `name`, and the directory synced.
    ///
    /// - Throws: `SystemError` naming the failed call; the temporary file is removed.
    public static func replaceFile(
        _ name: [UInt8], in directory: FileDescriptor, with bytes: [UInt8], permissions: UInt32 = 0o644
    ) throws(SystemError) {
        let temporary = Array(".".utf8) + name + Array(".tmp-\(getpid())".utf8)
        try? remove(temporary, in: directory, isDirectory: false)
        do {
            let fd = try createFile(temporary, in: directory, permissions: permissions)
            defer { close(fd) }
            try write(fd, bytes, at: 0)
            try sync(fd)
            try rename(temporary, in: directory, to: name, in: directory)
        } catch {
            try? remove(temporary, in: directory, isDirectory: false)
            throw error
        }
        try sync(directory)
    }

    /// `replaceFile(_:in:with:permissions:)` for a path: the file's directory is opened for it.
    public static func replaceFile(atPath path: String, with bytes: [UInt8], permissions: UInt32 = 0o644)
        throws(SystemError)
    {
        try inDirectory(of: path) { directory, name throws(SystemError) in
            try replaceFile(name, in: directory, with: bytes, permissions: permissions)
        }
    }

    /// Creates a new empty file and renames it over `path` (whatever is there), and returns it
    /// open for writing; nothing is synced. Only a file this call made is ever opened: the
    /// temporary name (`.NAME.tmp-PID-RANDOM`) is created exclusively, never one found there.
    ///
    /// - Throws: `SystemError` naming the failed call; the temporary file is removed.
    public static func createReplacing(atPath path: String, permissions: UInt32 = 0o644) throws(SystemError)
        -> FileDescriptor
    {
        try inDirectory(of: path) { directory, name throws(SystemError) in
            let temporary = Array(".".utf8) + name + Array(".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))".utf8)
            let created = try createFile(temporary, in: directory, permissions: permissions)
            do throws(SystemError) {
                try rename(temporary, in: directory, to: name, in: directory)
            } catch {
                close(created)
                try? remove(temporary, in: directory, isDirectory: false)
                throw error
            }
            return created
        }
    }

    /// Runs `body` with the opened directory of `path` and the name in it.
    private static func inDirectory<R>(
        of path: String, _ body: (FileDescriptor, [UInt8]) throws(SystemError) -> R
    ) throws(SystemError) -> R {
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directoryName = slash.map { Array(path.utf8[..<$0]) } ?? Array(".".utf8)
        let name = slash.map { Array(path.utf8[path.utf8.index(after: $0)...]) } ?? Array(path.utf8)
        let directory = try openDirectory(directoryName.isEmpty ? Array("/".utf8) : directoryName)
        defer { close(directory) }
        return try body(directory, name)
    }
}
