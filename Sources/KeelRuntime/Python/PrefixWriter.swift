import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Writes new files below an installation prefix without ever leaving it: directories are
/// opened one component at a time without following symlinks, files are created exclusively
/// (an existing one is an error, never overwritten), and modes are exact whatever the umask
/// (directories this writer makes 0755, files 0644 or 0755). What it made can be removed again
/// with `discard()`.
final class PrefixWriter {
    /// The prefix, as given (for messages).
    let prefix: String
    private let root: FileDescriptor
    /// Directories below the prefix known to exist (made here or found).
    private var directories: Set<[String]> = [[]]
    /// What this writer made, in order: files and directories, as paths below the prefix.
    private var made: [(components: [String], isDirectory: Bool)] = []
    /// The last parent directory used, kept open for the next file in it.
    private var openParent: (components: [String], descriptor: FileDescriptor)?

    /// A writer below `prefix`, which is made (with its parents) when it does not exist.
    ///
    /// - Throws: `RuntimeError` naming the prefix when it cannot be made or opened.
    init(prefix: String) throws(RuntimeError) {
        self.prefix = prefix
        do {
            try FileSystem.makeDirectories(prefix)
            root = try FileSystem.openDirectory(Array(prefix.utf8))
        } catch {
            throw RuntimeError("cannot open the installation prefix \(prefix): \(error)")
        }
    }

    /// Closes the descriptors the writer holds.
    func close() {
        if let openParent { FileSystem.close(openParent.descriptor) }
        openParent = nil
        FileSystem.close(root)
    }

    /// Makes the new file `components` (its missing parents as directories) and lets `fill`
    /// write its content; then sets its mode to 0755 when `executable`, else 0644.
    ///
    /// - Throws: `RuntimeError` naming the path when it exists, a parent is not a directory
    ///   (or is a symlink), or a call fails; or what `fill` throws.
    func makeFile(
        _ components: [String], executable: Bool, fill: (FileDescriptor) throws(RuntimeError) -> Void
    ) throws(RuntimeError) {
        guard let name = components.last else { throw RuntimeError("cannot write the prefix itself as a file") }
        let parent = try directory(Array(components.dropLast()))
        let file = try attempt(components) { () throws(SystemError) in
            try FileSystem.createFile(Array(name.utf8), in: parent, permissions: 0o600)
        }
        made.append((components, false))
        defer { FileSystem.close(file) }
        try fill(file)
        try attempt(components) { () throws(SystemError) in
            try FileSystem.setPermissions(file, executable ? 0o755 : 0o644)
        }
    }

    /// Makes the new file `components` holding `bytes`.
    func makeFile(_ components: [String], executable: Bool, bytes: [UInt8]) throws(RuntimeError) {
        try makeFile(components, executable: executable) { file throws(RuntimeError) in
            try write(bytes, to: file, path: components)
        }
    }

    /// Writes all of `bytes` to the open file `file` (the file `path`).
    func write(_ bytes: [UInt8], to file: FileDescriptor, path: [String]) throws(RuntimeError) {
        var failure: RuntimeError?
        bytes.withUnsafeBytes { raw in
            do throws(RuntimeError) { try write(raw, to: file, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes all of `buffer` to the open file `file` (the file `path`).
    func write(_ buffer: UnsafeRawBufferPointer, to file: FileDescriptor, path: [String]) throws(RuntimeError) {
        try attempt(path) { () throws(SystemError) in try SystemCall.writeAll(file.rawValue, buffer) }
    }

    /// Removes every file and directory this writer made, newest first; failures are ignored
    /// (what cannot be removed stays).
    func discard() {
        if let openParent { FileSystem.close(openParent.descriptor) }
        openParent = nil
        for (components, isDirectory) in made.reversed() {
            try? FileSystem.remove(Array(components.joined(separator: "/").utf8), in: root, isDirectory: isDirectory)
        }
        made = []
    }

    /// The directory `components`, open; it and its missing ancestors are made (0755).
    private func directory(_ components: [String]) throws(RuntimeError) -> FileDescriptor {
        if components.isEmpty { return root }
        if let openParent, openParent.components == components { return openParent.descriptor }
        if let openParent { FileSystem.close(openParent.descriptor) }
        openParent = nil
        var current = root
        for depth in 1...components.count {
            let path = Array(components.prefix(depth))
            let name = Array(path[depth - 1].utf8)
            do throws(RuntimeError) {
                if !directories.contains(path) {
                    do {
                        try FileSystem.makeDirectory(name, in: current, permissions: 0o700)
                        made.append((path, true))
                        try FileSystem.setPermissions(name, in: current, 0o755)
                    } catch  where error.errno == EEXIST {
                        // An existing directory is used; anything else fails to open below.
                    } catch {
                        throw RuntimeError("cannot make \(display(path)) in \(prefix): \(error)")
                    }
                    directories.insert(path)
                }
                let next = try attempt(path) { () throws(SystemError) in
                    try FileSystem.openDirectory(name, in: current)
                }
                if current != root { FileSystem.close(current) }
                current = next
            } catch {
                if current != root { FileSystem.close(current) }
                throw error
            }
        }
        openParent = (components, current)
        return current
    }

    /// Runs a call about `path`, naming it and the prefix when it fails.
    private func attempt<Result>(_ path: [String], _ body: () throws(SystemError) -> Result) throws(RuntimeError)
        -> Result
    {
        do { return try body() } catch {
            let reason = error.errno == ELOOP ? "it is a symlink, which is never followed" : error.reason
            throw RuntimeError("cannot write \(display(path)) in \(prefix): \(reason)")
        }
    }

    private func display(_ path: [String]) -> String { "'\(path.joined(separator: "/"))'" }
}
