/// Where a `NARWriter` puts its bytes: a sink lends the writer buffers to fill, so bytes (file
/// contents included) are written once, straight into the sink's memory.
///
/// The writer calls `nextBuffer(filled: 0)` once to get its first buffer, then
/// `nextBuffer(filled:)` whenever a buffer is full, and `finish(filled:)` at the end. `filled` is
/// how many bytes at the start of the buffer last returned hold data. A returned buffer must not
/// be empty, and stays the writer's until the next call.
public protocol NARSink {
    /// Takes the first `filled` bytes of the current buffer and returns the next buffer to fill.
    mutating func nextBuffer(filled: Int) throws -> UnsafeMutableRawBufferPointer
    /// Takes the first `filled` bytes of the current buffer; no more bytes follow.
    mutating func finish(filled: Int) throws
}

/// A sink that collects the NAR in memory; for tests and small archives.
public struct ArrayNARSink: NARSink {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private let scratch: UnsafeMutableRawBufferPointer

    /// Makes an empty sink.
    public init() {
        scratch = .allocate(byteCount: 16 * 1024, alignment: 16)
    }

    /// Appends the filled bytes and lends the scratch buffer again.
    public mutating func nextBuffer(filled: Int) throws -> UnsafeMutableRawBufferPointer {
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<filled]))
        return scratch
    }

    /// Appends the last bytes and frees the scratch buffer.
    public mutating func finish(filled: Int) throws {
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<filled]))
        scratch.deallocate()
    }
}
