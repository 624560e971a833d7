import KeelLinux
import SystemPackage

/// Writes an archive's members below a directory it owns, so that nothing lands outside it.
///
/// Every parent of a member must be a directory this writer made (missing ones are made);
/// parents are opened one component at a time without following symlinks, so a symlink an
/// earlier member made is never written through. A name appears once (a directory may be
/// repeated). Hard links point at an earlier regular file and become copies of it. Files get
/// mode 0755 when any execute bit was set, else 0644; directories 0755; times are left alone.
final class TreeWriter {
    private enum Node: Equatable {
        case directory
        case file(executable: Bool)
        case symlink

        var noun: String {
            switch self {
            case .directory: "directory"
            case .file: "file"
            case .symlink: "symlink"
            }
        }
    }

    private let root: FileDescriptor
    private var nodes: [ArchivePath: Node] = [:]
    /// The last parent directory used, kept open for the next member in it.
    private var openParent: (path: ArchivePath, descriptor: FileDescriptor)?

    /// A writer into the existing, empty `directory`.
    init(directory: String) throws(ArchiveError) {
        do { root = try FileSystem.openDirectory(Array(directory.utf8)) } catch {
            throw ArchiveError("cannot open the unpacking directory: \(error)")
        }
    }

    /// Closes the descriptors the writer holds.
    func close() {
        if let openParent { FileSystem.close(openParent.descriptor) }
        openParent = nil
        FileSystem.close(root)
    }

    /// Makes the directory `path` (a repeated directory is fine).
    func makeDirectory(_ path: ArchivePath) throws(ArchiveError) {
        if path.isRoot || nodes[path] == .directory { return }
        let parent = try claim(path)
        try attempt(path) { () throws(SystemError) in
            try FileSystem.makeDirectory(path.name, in: parent, permissions: 0o755)
        }
        nodes[path] = .directory
    }

    /// Makes the regular file `path` holding what `read` yields, chunk by chunk through
    /// `buffer`, until it returns 0.
    func makeFile(
        _ path: ArchivePath, executable: Bool, buffer: UnsafeMutableRawBufferPointer,
        read: (UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int
    ) throws(ArchiveError) {
        try makeFile(path, executable: executable) { file throws(ArchiveError) in
            while case let count = try read(buffer), count > 0 {
                try attempt(path) { () throws(SystemError) in
                    try SystemCall.writeAll(file.rawValue, UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                }
            }
        }
    }

    /// Makes the regular file `path` and lets `write` fill it through its open descriptor.
    private func makeFile(
        _ path: ArchivePath, executable: Bool, write: (FileDescriptor) throws(ArchiveError) -> Void
    ) throws(ArchiveError) {
        let parent = try claim(path)
        let file = try attempt(path) { () throws(SystemError) in
            try FileSystem.createFile(path.name, in: parent, permissions: 0o600)
        }
        defer { FileSystem.close(file) }
        nodes[path] = .file(executable: executable)
        try write(file)
        try attempt(path) { () throws(SystemError) in
            try FileSystem.setPermissions(file, executable ? 0o755 : 0o644)
        }
    }

    /// Makes the symlink `path` pointing at `target` (never followed by this writer).
    func makeSymlink(_ path: ArchivePath, target: [UInt8]) throws(ArchiveError) {
        guard !target.isEmpty, !target.contains(0) else {
            throw ArchiveError.member(path.bytes, "symlink with an empty or invalid target")
        }
        let parent = try claim(path)
        try attempt(path) { () throws(SystemError) in
            try FileSystem.makeSymlink(path.name, target: target, in: parent)
        }
        nodes[path] = .symlink
    }

    /// Makes `path` a copy of the earlier regular file `target` (a hard link in the archive).
    func makeHardLink(_ path: ArchivePath, to target: ArchivePath) throws(ArchiveError) {
        guard case .file(let executable) = nodes[target] else {
            let what =
                nodes[target].map { "a \($0.noun) (only regular files may be linked)" } ?? "not an earlier member"
            throw ArchiveError.member(path.bytes, "hard link to \(ArchiveError.quoted(target.bytes)), which is \(what)")
        }
        let targetParent = try parentDescriptor(of: target)
        let source = try attempt(target) { () throws(SystemError) in
            try FileSystem.openForReading(target.name, in: targetParent)
        }
        defer { FileSystem.close(source) }
        try makeFile(path, executable: executable) { file throws(ArchiveError) in
            try attempt(path) { () throws(SystemError) in
                try FileSystem.copyContents(from: source, to: file, size: try FileSystem.status(of: source).size)
            }
        }
    }

    /// Checks that `path` is free and returns its parent directory, open.
    private func claim(_ path: ArchivePath) throws(ArchiveError) -> FileDescriptor {
        guard !path.isRoot else {
            throw ArchiveError.member(path.bytes, "names the top directory itself, which only a directory may")
        }
        if let existing = nodes[path] {
            throw ArchiveError.member(
                path.bytes, "appears twice in the archive (an earlier member made a \(existing.noun))")
        }
        return try parentDescriptor(of: path)
    }

    /// The directory holding `path`, open; its missing ancestors are made as directories, and
    /// an ancestor that an earlier member made as something else is refused.
    private func parentDescriptor(of path: ArchivePath) throws(ArchiveError) -> FileDescriptor {
        let parent = path.parent
        if parent.isRoot { return root }
        if let openParent, openParent.path == parent { return openParent.descriptor }
        if let openParent { FileSystem.close(openParent.descriptor) }
        openParent = nil
        var current = root
        for depth in 1...parent.components.count {
            let ancestor = parent.prefix(depth)
            do throws(ArchiveError) {
                switch nodes[ancestor] {
                case .directory:
                    break
                case .file:
                    throw ArchiveError.member(
                        path.bytes, "its parent \(ArchiveError.quoted(ancestor.bytes)) is a file an earlier member made"
                    )
                case .symlink:
                    throw ArchiveError.member(
                        path.bytes,
                        "would be written through the symlink \(ArchiveError.quoted(ancestor.bytes)) an earlier member made"
                    )
                case nil:
                    try attempt(ancestor) { () throws(SystemError) in
                        try FileSystem.makeDirectory(ancestor.name, in: current, permissions: 0o755)
                    }
                    nodes[ancestor] = .directory
                }
                let next = try attempt(ancestor) { () throws(SystemError) in
                    try FileSystem.openDirectory(ancestor.name, in: current)
                }
                if current != root { FileSystem.close(current) }
                current = next
            } catch {
                if current != root { FileSystem.close(current) }
                throw error
            }
        }
        openParent = (parent, current)
        return current
    }

    /// Runs a file-system call for the member `path`, naming it when the call fails.
    private func attempt<Result>(_ path: ArchivePath, _ body: () throws(SystemError) -> Result) throws(ArchiveError)
        -> Result
    {
        do { return try body() } catch { throw ArchiveError.member(path.bytes, "cannot write it: \(error)") }
    }
}
