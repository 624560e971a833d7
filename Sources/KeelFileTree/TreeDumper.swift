import KeelFormats
import KeelLinux
import SystemPackage

/// Serialises a file-system tree as a NAR (spec/nix-formats.md §1.3), streaming file contents
/// straight from the kernel into the writer's buffers.
///
/// Regular files are executable in the NAR when their owner-execute bit is set; symlinks are
/// written with their raw target and never followed; directory entries are sorted by name bytes.
/// Fifos, sockets and devices are refused with an error naming the file.
///
/// With a `SourceTreeFilter`, the NAR is that of the tree with the entries the filter leaves out
/// absent (an excluded directory is not read at all).
public enum TreeDumper {
    /// Writes the tree at `path` as one complete NAR into `writer` (without calling `finish`).
    ///
    /// - Parameters:
    ///   - path: the tree's path, absolute or relative to the working directory.
    ///   - filter: which entries to leave out; nil keeps them all.
    ///   - writer: a writer expecting its root node.
    /// - Throws: `FileTreeError` naming the file, or what the writer's sink throws.
    public static func dump<Sink: NARSink>(
        path: String, filter: SourceTreeFilter? = nil, into writer: inout NARWriter<Sink>
    ) throws {
        var walker = Walker(root: path, filter: filter, prefetcher: FilePrefetcher(), mirror: ValidatingNARVisitor())
        defer { walker.stop() }
        try walker.dumpRoot(into: &writer)
    }

    /// Copies the tree at `path` into `visitor` (a `TreeRestorer`, say) while hashing its NAR,
    /// in one pass over the source: the hash is of exactly what the visitor received, so a
    /// source that changes meanwhile cannot make the copy differ from its hash. On failure the
    /// visitor holds whatever it created, for the caller to abandon.
    ///
    /// - Returns: the hash and the NAR's size in bytes.
    public static func copy<Visitor: NARVisitor>(
        path: String, filter: SourceTreeFilter? = nil, into visitor: inout Visitor, algorithm: HashAlgorithm = .sha256
    ) throws -> (hash: NixHash, size: UInt64) {
        var writer = try NARWriter(sink: PipelinedSink(consumer: HashingConsumer(algorithm: algorithm)))
        var walker = Walker(root: path, filter: filter, prefetcher: FilePrefetcher(), mirror: visitor)
        defer { visitor = walker.mirror }
        do {
            defer { walker.stop() }
            try walker.dumpRoot(into: &writer)
        }
        try writer.finish()
        let consumer = writer.sink.consumer
        return (consumer.hash!, consumer.size)
    }

    /// Hashes the NAR of the tree at `path` without writing it anywhere, overlapping reading and
    /// hashing on two threads.
    ///
    /// - Returns: the hash and the NAR's size in bytes.
    public static func hash(
        path: String, filter: SourceTreeFilter? = nil, algorithm: HashAlgorithm = .sha256
    ) throws -> (hash: NixHash, size: UInt64) {
        var writer = try NARWriter(sink: PipelinedSink(consumer: HashingConsumer(algorithm: algorithm)))
        try dump(path: path, filter: filter, into: &writer)
        try writer.finish()
        let consumer = writer.sink.consumer
        return (consumer.hash!, consumer.size)
    }

    /// Streams the NAR of the tree at `path` through `consumer` (on a second thread) and returns
    /// the consumer once it has finished.
    public static func consume<Consumer: ChunkConsumer>(
        path: String, filter: SourceTreeFilter? = nil, with consumer: Consumer
    ) throws -> Consumer {
        var writer = try NARWriter(sink: PipelinedSink(consumer: consumer))
        try dump(path: path, filter: filter, into: &writer)
        try writer.finish()
        return writer.sink.consumer
    }

    /// Writes the NAR of the tree at `path` to a file descriptor.
    public static func write(path: String, filter: SourceTreeFilter? = nil, to fd: FileDescriptor) throws {
        var writer = try NARWriter(sink: PipelinedSink(consumer: FileDescriptorConsumer(fd: fd)))
        try dump(path: path, filter: filter, into: &writer)
        try writer.finish()
    }
}

/// Walks one tree, writing its NAR and telling `mirror` each node as it goes; keeps the names
/// from the root down for error messages.
struct Walker<Mirror: NARVisitor> {
    let root: String
    /// Which entries to leave out; nil keeps them all.
    let filter: SourceTreeFilter?
    let prefetcher: FilePrefetcher
    var mirror: Mirror
    var names: [[UInt8]] = []
    /// Directories open (on the path from the root, or listed ahead); on failure they are closed
    /// only after the prefetcher stops.
    var openDirectories: Set<Int32> = []
    /// Subdirectories listed ahead of the walker, at most this many at once.
    static var maxListedAhead: Int { 256 }

    init(root: String, filter: SourceTreeFilter?, prefetcher: FilePrefetcher, mirror: Mirror) {
        self.root = root
        self.filter = filter
        self.prefetcher = prefetcher
        self.mirror = mirror
    }

    /// Stops the prefetcher, then closes any directory a failure left open.
    mutating func stop() {
        prefetcher.shutdown()
        for directory in openDirectories { FileSystem.close(FileDescriptor(rawValue: directory)) }
        openDirectories.removeAll()
    }

    func currentPath(_ name: [UInt8]? = nil) -> String {
        var path = root
        for component in names + (name.map { [$0] } ?? []) { path += "/" + FileSystem.display(component) }
        return path
    }

    func failure(_ error: SystemError, _ name: [UInt8]?) -> FileTreeError {
        FileTreeError(path: currentPath(name), problem: .system(error))
    }

    mutating func dumpRoot<Sink: NARSink>(into writer: inout NARWriter<Sink>) throws {
        let rootName = Array(root.utf8)
        let info: FileStatus
        do { info = try FileSystem.status(of: rootName) } catch { throw failure(error, nil) }
        try dumpNode(
            named: rootName, kind: info.kind, in: FileSystem.currentDirectory, isRoot: true, within: nil, into: &writer)
    }

    /// Writes one node; `scope` is its parent's, when filtering.
    mutating func dumpNode<Sink: NARSink>(
        named name: [UInt8], kind: FileKind, in parent: FileDescriptor, isRoot: Bool,
        within scope: SourceTreeFilter.Scope?, into writer: inout NARWriter<Sink>
    ) throws {
        let label: [UInt8]? = isRoot ? nil : name
        var kind = kind
        if kind == .unknown {
            do { kind = try FileSystem.status(of: name, in: parent).kind } catch { throw failure(error, label) }
        }
        switch kind {
        case .symlink:
            let target: [UInt8]
            do { target = try FileSystem.readLink(name, in: parent) } catch { throw failure(error, label) }
            try writer.symlink(target: target)
            try mirror.symlink(name: label, target: target)
        case .regular:
            try dumpFile(named: name, label: label, in: parent, into: &writer)
        case .directory:
            let directory: FileDescriptor
            do { directory = try FileSystem.openDirectory(name, in: parent) } catch { throw failure(error, label) }
            openDirectories.insert(directory.rawValue)
            let listing: Listing
            do { listing = try list(directory, named: label, within: scope) } catch let error as SystemError {
                throw failure(error, label)
            }
            if let label { names.append(label) }
            try dumpDirectory(listing, name: label, into: &writer)
            if label != nil { names.removeLast() }
            close(directory)
        case .special, .unknown:
            throw FileTreeError(path: currentPath(label), problem: .unsupportedType)
        }
    }

    mutating func dumpFile<Sink: NARSink>(
        named name: [UInt8], label: [UInt8]?, in parent: FileDescriptor, into writer: inout NARWriter<Sink>
    ) throws {
        let fd: FileDescriptor
        do { fd = try FileSystem.openForReading(name, in: parent) } catch { throw failure(error, label) }
        defer { FileSystem.close(fd) }
        let info: FileStatus
        do { info = try FileSystem.status(of: fd) } catch { throw failure(error, label) }
        guard info.kind == .regular else { throw FileTreeError(path: currentPath(label), problem: .unsupportedType) }
        try writer.beginFile(executable: info.isOwnerExecutable, size: info.size)
        try mirror.beginFile(name: label, executable: info.isOwnerExecutable, size: info.size)
        while writer.remainingContents > 0 {
            var filled = UnsafeRawBufferPointer(start: nil, count: 0)
            do {
                _ = try writer.fillContents { buffer in
                    let count = try SystemCall.read(fd.rawValue, into: buffer)
                    filled = UnsafeRawBufferPointer(rebasing: buffer[..<count])
                    return count
                }
            } catch let error as SystemError {
                throw failure(error, label)
            }
            if filled.isEmpty { throw FileTreeError(path: currentPath(label), problem: .changedWhileReading) }
            // The bytes stay in the writer's buffer until its next call.
            try mirror.contents(filled)
        }
        try writer.endFile()
        try mirror.endFile()
    }

    /// A directory's sorted entries, with prefetch tickets for its regular files.
    struct Listing {
        let directory: FileDescriptor
        let entries: [DirectoryEntry]
        let tickets: [Int?]
        /// The filter's patterns inside the directory, when filtering.
        let scope: SourceTreeFilter.Scope?
    }

    /// Lists a directory (named `name` in the directory whose scope is `parent`) and queues its
    /// regular files for reading ahead; with a filter, reads its ignore files and lists only the
    /// entries kept.
    ///
    /// - Throws: `SystemError` when it cannot be listed; `FileTreeError` naming an ignore file.
    func list(_ directory: FileDescriptor, named name: [UInt8]?, within parent: SourceTreeFilter.Scope?) throws
        -> Listing
    {
        var entries = try DirectoryListing.read(directory)
        var scope: SourceTreeFilter.Scope?
        if let filter {
            let inside = try filter.scope(
                inside: directory, entries: entries, named: name, within: parent, label: currentPath(name))
            entries = filter.kept(entries, of: directory, in: inside)
            scope = inside
        }
        entries.sort { $0.name.lexicographicallyPrecedes($1.name) }
        let regular = entries.filter { $0.kind == .regular }.map(\.name)
        var submitted = prefetcher.submit(directory: directory, names: regular).makeIterator()
        let tickets = entries.map { $0.kind == .regular ? submitted.next() : nil }
        return Listing(directory: directory, entries: entries, tickets: tickets, scope: scope)
    }

    mutating func close(_ directory: FileDescriptor) {
        openDirectories.remove(directory.rawValue)
        FileSystem.close(directory)
    }

    /// Lists the subdirectories of `listing` now, so their files are read ahead while the walker
    /// is still busy with this directory. A subdirectory that cannot be listed is left for the
    /// walker, which reports the error in archive order.
    mutating func listAhead(_ listing: Listing) -> [Int: Listing] {
        var ahead: [Int: Listing] = [:]
        for (index, entry) in listing.entries.enumerated() where entry.kind == .directory {
            guard openDirectories.count < Self.maxListedAhead,
                let child = try? FileSystem.openDirectory(entry.name, in: listing.directory)
            else { break }
            guard let childListing = try? list(child, named: entry.name, within: listing.scope) else {
                FileSystem.close(child)
                continue
            }
            openDirectories.insert(child.rawValue)
            ahead[index] = childListing
        }
        return ahead
    }

    mutating func dumpDirectory<Sink: NARSink>(
        _ listing: Listing, name: [UInt8]?, into writer: inout NARWriter<Sink>
    ) throws {
        let ahead = listAhead(listing)
        try writer.beginDirectory()
        try mirror.beginDirectory(name: name)
        for (index, (entry, ticket)) in zip(listing.entries, listing.tickets).enumerated() {
            try writer.entry(name: entry.name)
            if let ticket, case .read(let prefetched) = prefetcher.take(ticket) {
                defer { prefetcher.release(prefetched) }
                let bytes = UnsafeRawBufferPointer(rebasing: prefetched.bytes[..<prefetched.count])
                try writer.beginFile(executable: prefetched.status.isOwnerExecutable, size: UInt64(prefetched.count))
                try writer.writeContents(bytes)
                try writer.endFile()
                try mirror.beginFile(
                    name: entry.name, executable: prefetched.status.isOwnerExecutable, size: UInt64(prefetched.count))
                try mirror.contents(bytes)
                try mirror.endFile()
            } else if let child = ahead[index] {
                names.append(entry.name)
                try dumpDirectory(child, name: entry.name, into: &writer)
                names.removeLast()
                close(child.directory)
            } else {
                try dumpNode(
                    named: entry.name, kind: entry.kind, in: listing.directory, isRoot: false, within: listing.scope,
                    into: &writer)
            }
        }
        try writer.endDirectory()
        try mirror.endDirectory()
    }
}
