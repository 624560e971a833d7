/// Writes a Nix archive (NAR) as a stream of tokens, checking the grammar as it goes.
///
/// The NAR format (spec/nix-formats.md §1) is a sequence of length-prefixed, zero-padded
/// strings: `nix-archive-1` and one node, where a node is a regular file (with an optional
/// executable marker), a symlink, or a directory whose entries are sorted by name bytes.
///
/// Call order: one node for the root, where a node is `symlink(target:)`, or `beginFile` +
/// contents + `endFile()`, or `beginDirectory()` + any number of (`entry(name:)` + node) +
/// `endDirectory()`. Then `finish()`. Memory use is constant: contents stream through the sink's
/// buffers.
///
/// - Important: call `finish()`, or the sink never receives the last bytes.
public struct NARWriter<Sink: NARSink> {
    private enum State {
        case expectingNode
        case inFile(remaining: UInt64, size: UInt64)
        case inDirectory
        case finished
        case closed
    }

    /// The sink the archive goes to; read it after `finish()`.
    public private(set) var sink: Sink
    private var buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var state = State.expectingNode
    /// The last entry name of each open directory, innermost last.
    private var lastNames: [[UInt8]?] = []

    /// Starts an archive: writes the magic string.
    public init(sink: Sink) throws {
        self.sink = sink
        buffer = try self.sink.nextBuffer(filled: 0)
        try writeString(NARToken.magic)
    }

    /// Writes a symlink node with `target` (raw bytes: not followed, not normalised).
    public mutating func symlink(target: [UInt8]) throws {
        try expectNode()
        guard !target.isEmpty else { throw NARWriteError.emptySymlinkTarget }
        guard !target.contains(0) else { throw NARWriteError.nulInSymlinkTarget }
        try writeString(NARToken.open)
        try writeString(NARToken.type)
        try writeString(NARToken.symlink)
        try writeString(NARToken.target)
        try writeString(target)
        try writeString(NARToken.close)
        try nodeDone()
    }

    /// Starts a regular file node of exactly `size` bytes.
    ///
    /// Follow with `writeContents` or `fillContents` calls adding up to `size` bytes, then
    /// `endFile()`.
    public mutating func beginFile(executable: Bool, size: UInt64) throws {
        try expectNode()
        try writeString(NARToken.open)
        try writeString(NARToken.type)
        try writeString(NARToken.regular)
        if executable {
            try writeString(NARToken.executable)
            try writeString([])
        }
        try writeString(NARToken.contents)
        try writeInteger(size)
        state = .inFile(remaining: size, size: size)
    }

    /// Adds file contents.
    public mutating func writeContents(_ bytes: UnsafeRawBufferPointer) throws {
        guard case .inFile(let remaining, let size) = state else {
            throw NARWriteError.misuse("contents outside a file")
        }
        guard UInt64(bytes.count) <= remaining else { throw NARWriteError.contentsSizeMismatch(declared: size) }
        state = .inFile(remaining: remaining - UInt64(bytes.count), size: size)
        try writeRaw(bytes)
    }

    /// Adds file contents by letting `read` fill the writer's buffer directly (no copy).
    ///
    /// - Parameter read: fills a prefix of the buffer it is given (never more than the bytes the
    ///   file still needs) and returns how many bytes it wrote; 0 means the source ended early.
    /// - Returns: the number of bytes added.
    public mutating func fillContents(_ read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        guard case .inFile(let remaining, let size) = state else {
            throw NARWriteError.misuse("contents outside a file")
        }
        guard remaining > 0 else { return 0 }
        if filled == buffer.count { try flushBuffer() }
        let room = min(buffer.count - filled, Int(clamping: remaining))
        let count = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + room]))
        guard count >= 0, count <= room else { throw NARWriteError.misuse("fill returned \(count) for \(room) bytes") }
        filled += count
        state = .inFile(remaining: remaining - UInt64(count), size: size)
        return count
    }

    /// The number of content bytes the current file still needs.
    public var remainingContents: UInt64 {
        if case .inFile(let remaining, _) = state { return remaining }
        return 0
    }

    /// Ends a regular file node; every declared byte must have been written.
    public mutating func endFile() throws {
        guard case .inFile(let remaining, let size) = state else {
            throw NARWriteError.misuse("endFile outside a file")
        }
        guard remaining == 0 else { throw NARWriteError.contentsSizeMismatch(declared: size) }
        try writePadding(for: size)
        try writeString(NARToken.close)
        try nodeDone()
    }

    /// Starts a directory node.
    public mutating func beginDirectory() throws {
        try expectNode()
        try writeString(NARToken.open)
        try writeString(NARToken.type)
        try writeString(NARToken.directory)
        lastNames.append(nil)
        state = .inDirectory
    }

    /// Starts an entry of the current directory; the next node written is its node.
    ///
    /// - Throws: `NARWriteError.invalidName` for an empty name, `.`, `..`, or a name holding `/`
    ///   or NUL; `.unsortedEntry` unless `name` sorts strictly after the previous entry's.
    public mutating func entry(name: [UInt8]) throws {
        guard case .inDirectory = state else { throw NARWriteError.misuse("entry outside a directory") }
        if let reason = NARName.problem(with: name) { throw NARWriteError.invalidName(name, reason) }
        if let last = lastNames[lastNames.count - 1], !last.lexicographicallyPrecedes(name) {
            throw NARWriteError.unsortedEntry(previous: last, name: name)
        }
        lastNames[lastNames.count - 1] = name
        try writeString(NARToken.entry)
        try writeString(NARToken.open)
        try writeString(NARToken.name)
        try writeString(name)
        try writeString(NARToken.node)
        state = .expectingNode
    }

    /// Ends the current directory node.
    public mutating func endDirectory() throws {
        guard case .inDirectory = state else { throw NARWriteError.misuse("endDirectory outside a directory") }
        lastNames.removeLast()
        try writeString(NARToken.close)
        try nodeDone()
    }

    /// Ends the archive and hands the last bytes to the sink.
    public mutating func finish() throws {
        guard case .finished = state else { throw NARWriteError.misuse("finish before the root node is complete") }
        state = .closed
        try sink.finish(filled: filled)
    }

    // MARK: - Internals

    private func expectNode() throws {
        guard case .expectingNode = state else { throw NARWriteError.misuse("a node is not expected here") }
    }

    private mutating func nodeDone() throws {
        if lastNames.isEmpty {
            state = .finished
        } else {
            try writeString(NARToken.close)
            state = .inDirectory
        }
    }

    private mutating func flushBuffer() throws {
        buffer = try sink.nextBuffer(filled: filled)
        filled = 0
        precondition(!buffer.isEmpty, "a NARSink returned an empty buffer")
    }

    private mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if filled == buffer.count { try flushBuffer() }
            let count = min(buffer.count - filled, bytes.count - offset)
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + count])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
            filled += count
            offset += count
        }
    }

    private mutating func writeInteger(_ value: UInt64) throws {
        try withUnsafeBytes(of: value.littleEndian) { try writeRaw($0) }
    }

    private mutating func writePadding(for length: UInt64) throws {
        let padding = Int((8 - length % 8) % 8)
        var remaining = padding
        while remaining > 0 {
            if filled == buffer.count { try flushBuffer() }
            let count = min(buffer.count - filled, remaining)
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + count]).initializeMemory(
                as: UInt8.self, repeating: 0)
            filled += count
            remaining -= count
        }
    }

    private mutating func writeString(_ bytes: [UInt8]) throws {
        try writeInteger(UInt64(bytes.count))
        try bytes.withUnsafeBytes { try writeRaw($0) }
        try writePadding(for: UInt64(bytes.count))
    }
}

/// A misuse of `NARWriter` or a tree that cannot be archived.
public enum NARWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An entry name that is empty, `.`, `..`, or holds `/` or NUL.
    case invalidName([UInt8], String)
    /// An entry that does not sort strictly after the previous one.
    case unsortedEntry(previous: [UInt8], name: [UInt8])
    /// A file whose contents did not match its declared size.
    case contentsSizeMismatch(declared: UInt64)
    /// An empty symlink target.
    case emptySymlinkTarget
    /// A symlink target holding NUL.
    case nulInSymlinkTarget
    /// Calls out of order.
    case misuse(String)

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .invalidName(let name, let reason): "invalid NAR entry name '\(NARName.display(name))': \(reason)"
        case .unsortedEntry(let previous, let name):
            "NAR entry '\(NARName.display(name))' does not sort after '\(NARName.display(previous))'"
        case .contentsSizeMismatch(let declared): "file contents do not match the declared size \(declared)"
        case .emptySymlinkTarget: "symlink target is empty"
        case .nulInSymlinkTarget: "symlink target contains NUL"
        case .misuse(let what): "NAR writer misuse: \(what)"
        }
    }
}
