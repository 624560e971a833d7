import KeelFormats

/// The receiving end of one chunked stream: chunks of 1 byte to 1 MiB, each after its u64
/// length, ended by a zero length, or abandoned by `RemoteStoreProtocol.abortChunks` and a
/// message. `source` hands the bytes to a `ByteSource` reader (an import); whatever that reader
/// leaves unread can be skipped with `drain()` to keep the session in step.
public final class RemoteStoreChunkedInput {
    private let reader: RemoteStoreFrameReader
    private var remaining = 0
    /// Whether the zero-length chunk that ends the stream has been read.
    public private(set) var finished = false
    /// Why the stream itself broke (truncated, malformed, abandoned by the sender), if it did:
    /// the session cannot go on after that.
    public private(set) var failure: CacheError?
    /// The bytes of chunk data read so far.
    public private(set) var bytesRead: UInt64 = 0
    /// Called with `bytesRead` after every read.
    public var progress: (UInt64) -> Void = { _ in }

    /// Reads a stream through `reader`.
    public init(reader: RemoteStoreFrameReader) { self.reader = reader }

    /// A `ByteSource` over the stream's data.
    public var source: Source { Source(input: self) }

    /// Reads up to `buffer.count` bytes of data; 0 once the stream has ended.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CacheError) -> Int {
        if let failure { throw failure }
        do {
            while remaining == 0 {
                if finished { return 0 }
                try nextChunk()
            }
            guard !buffer.isEmpty else { return 0 }
            let count = try reader.readSome(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, remaining)]),
                what: "a chunk of the export stream")
            remaining -= count
            bytesRead += UInt64(count)
            progress(bytesRead)
            return count
        } catch {
            failure = error
            throw error
        }
    }

    private func nextChunk() throws(CacheError) {
        let length = try reader.readUInt64("a chunk length")
        switch length {
        case RemoteStoreProtocol.endOfChunks:
            finished = true
        case RemoteStoreProtocol.abortChunks:
            let message = try reader.readString("abort message", limit: RemoteStoreProtocol.maxMessageLength)
            throw CacheError(.store, "the sending side gave up: \(message)")
        case let length where length <= UInt64(RemoteStoreProtocol.maxChunk):
            remaining = Int(length)
        default:
            throw CacheError(.badInput, "a chunk of \(length) bytes (the limit is \(RemoteStoreProtocol.maxChunk))")
        }
    }

    /// Reads and drops the rest of the stream, up to its end.
    /// - Throws: the stream's failure, when it broke before its end.
    public func drain() throws(CacheError) {
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        while try scratch.withUnsafeMutableBytes({ bytes in Result { () throws(CacheError) in try read(into: bytes) } })
            .get() > 0
        {}
    }

    /// The stream's data as a `ByteSource`; copies share the stream's position.
    public struct Source: ByteSource {
        let input: RemoteStoreChunkedInput

        /// Reads the next bytes; 0 at the end of the stream.
        public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            try input.read(into: buffer)
        }
    }
}
