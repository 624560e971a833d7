/// Receives the nodes of a NAR as `NARReader` parses and validates them, in archive order.
///
/// Entry names arrive already checked (non-empty, not `.`/`..`, no `/` or NUL, at most the
/// name limit, strictly increasing within a directory). Every method has a default that does
/// nothing, so a visitor implements only what it needs.
public protocol NARVisitor {
    /// A directory starts; `name` is `nil` for the root.
    mutating func beginDirectory(name: [UInt8]?) throws
    /// The innermost open directory ends.
    mutating func endDirectory() throws
    /// A regular file of `size` bytes starts; its contents follow through `contents`.
    mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws
    /// The next chunk of the current file's contents.
    mutating func contents(_ chunk: UnsafeRawBufferPointer) throws
    /// The current file ends.
    mutating func endFile() throws
    /// A symlink with raw `target`.
    mutating func symlink(name: [UInt8]?, target: [UInt8]) throws
}

extension NARVisitor {
    /// Does nothing.
    public mutating func beginDirectory(name: [UInt8]?) throws {}
    /// Does nothing.
    public mutating func endDirectory() throws {}
    /// Does nothing.
    public mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {}
    /// Does nothing.
    public mutating func contents(_ chunk: UnsafeRawBufferPointer) throws {}
    /// Does nothing.
    public mutating func endFile() throws {}
    /// Does nothing.
    public mutating func symlink(name: [UInt8]?, target: [UInt8]) throws {}
}

/// A visitor that ignores everything: parse only to validate (and hash).
public struct ValidatingNARVisitor: NARVisitor {
    /// Makes one.
    public init() {}
}
