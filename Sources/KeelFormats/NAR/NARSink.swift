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

/// A sink that only hashes the NAR and counts its bytes: `nix hash path` without the archive.
public struct HashingNARSink: NARSink {
    private var hasher: StreamingHasher
    private let scratch: UnsafeMutableRawBufferPointer
    /// The number of bytes seen so far.
    public private(set) var size: UInt64 = 0
    /// The hash, set by `finish(filled:)`.
    public private(set) var hash: NixHash?

    /// Makes a sink hashing with `algorithm` through a buffer of `bufferSize` bytes.
    public init(algorithm: HashAlgorithm = .sha256, bufferSize: Int = 256 * 1024) {
        hasher = StreamingHasher(algorithm)
        scratch = .allocate(byteCount: bufferSize, alignment: 64)
    }

    /// Hashes the filled bytes and lends the buffer again.
    public mutating func nextBuffer(filled: Int) throws -> UnsafeMutableRawBufferPointer {
        consume(filled)
        return scratch
    }

    /// Hashes the last bytes and records the hash.
    public mutating func finish(filled: Int) throws {
        consume(filled)
        hash = hasher.finalize()
        scratch.deallocate()
    }

    private mutating func consume(_ filled: Int) {
        guard filled > 0 else { return }
        hasher.update(UnsafeRawBufferPointer(rebasing: scratch[..<filled]))
        size += UInt64(filled)
    }
}
