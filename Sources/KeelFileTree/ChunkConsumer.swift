import KeelFormats
import KeelLinux
import SystemPackage

/// Takes the bytes of a stream chunk by chunk, on whatever thread a `PipelinedSink` runs it.
public protocol ChunkConsumer: Sendable {
    /// Takes the next chunk.
    mutating func consume(_ chunk: UnsafeRawBufferPointer) throws
    /// Called once after the last chunk.
    mutating func finish() throws
}

/// Hashes the stream and counts its bytes.
public struct HashingConsumer: ChunkConsumer {
    private var hasher: StreamingHasher
    /// The bytes seen.
    public private(set) var size: UInt64 = 0
    /// The hash, set by `finish()`.
    public private(set) var hash: NixHash?

    /// Hashes with `algorithm`.
    public init(algorithm: HashAlgorithm) { hasher = StreamingHasher(algorithm) }

    /// Hashes a chunk.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer) throws {
        hasher.update(chunk)
        size += UInt64(chunk.count)
    }

    /// Records the hash.
    public mutating func finish() throws { hash = hasher.finalize() }
}

/// Writes the stream to a file descriptor (stdout, a file, a pipe).
public struct FileDescriptorConsumer: ChunkConsumer {
    private let fd: FileDescriptor

    /// Writes to `fd`, which stays open and owned by the caller.
    public init(fd: FileDescriptor) { self.fd = fd }

    /// Writes a chunk completely.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer) throws {
        try SystemCall.writeAll(fd.rawValue, chunk)
    }

    /// Nothing to do: the descriptor is the caller's.
    public mutating func finish() throws {}
}
