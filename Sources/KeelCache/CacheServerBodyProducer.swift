import KeelArchive
import KeelFileTree
import KeelLinux
import NIOCore
import SystemPackage

/// Starts the threads that produce response bodies into a `CacheServerChunkChannel`: a store
/// path's NAR (dumped, then compressed on the fly), or a byte range of an open file.
enum CacheServerBodyProducer {
    /// The size of the chunks handed to the response writer.
    static let chunkSize = 256 * 1024

    /// Dumps the NAR of the tree at `path` on a thread of its own (and compresses it on the
    /// dumper's consumer thread) into a new channel.
    static func nar(of path: String, compression: CacheCompression) -> CacheServerChunkChannel {
        let channel = CacheServerChunkChannel()
        DetachedThread.start {
            do {
                let consumer = try NARChunkConsumer(channel: channel, compression: compression)
                _ = try TreeDumper.consume(path: path, with: consumer)
                channel.finish(.success(()))
            } catch {
                channel.finish(.failure(error))
            }
        }
        return channel
    }

    /// Reads `range` of `file` (nil: nothing, for an empty file) on a thread of its own into a
    /// new channel.
    static func file(_ file: CacheServerOpenFile, range: ClosedRange<UInt64>?) -> CacheServerChunkChannel {
        let channel = CacheServerChunkChannel()
        DetachedThread.start {
            do {
                guard let range else { return channel.finish(.success(())) }
                var offset = range.lowerBound
                while offset <= range.upperBound {
                    let count = Int(min(UInt64(chunkSize), range.upperBound - offset + 1))
                    var buffer = ByteBufferAllocator().buffer(capacity: count)
                    let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                        try FileSystem.read(
                            file.fd, into: UnsafeMutableRawBufferPointer(rebasing: bytes[..<count]), at: offset)
                    }
                    guard read > 0 else { throw CacheError(.fileSystem, "the file shrank while it was served") }
                    offset += UInt64(read)
                    try channel.send(buffer)
                }
                channel.finish(.success(()))
            } catch {
                channel.finish(.failure(error))
            }
        }
        return channel
    }
}

/// Takes a NAR's bytes from the dumper's pipeline, compresses them if asked, and sends them to
/// the channel in chunks of about `CacheServerBodyProducer.chunkSize`.
///
/// `@unchecked Sendable`: the compressor is a class that is not thread-safe, but a
/// `PipelinedSink` moves its consumer to one thread and touches it only there.
private struct NARChunkConsumer: ChunkConsumer, @unchecked Sendable {
    private let batch: ChunkBatch
    private var compressor: (any StreamCompressor)?

    init(channel: CacheServerChunkChannel, compression: CacheCompression) throws {
        batch = ChunkBatch(channel: channel)
        switch compression {
        case .none: compressor = nil
        case .zstd: compressor = try ZstdCompressor()
        case .xz: compressor = try XzCompressor()
        }
    }

    mutating func consume(_ chunk: UnsafeRawBufferPointer) throws {
        let batch = batch
        if var compressor {
            try compressor.compress(chunk) { try batch.append($0) }
        } else {
            try batch.append(chunk)
        }
    }

    mutating func finish() throws {
        let batch = batch
        if var compressor { try compressor.finish { try batch.append($0) } }
        try batch.flush()
    }
}

/// Collects bytes into chunks of about `CacheServerBodyProducer.chunkSize` and sends each one
/// full.
private final class ChunkBatch {
    private let channel: CacheServerChunkChannel
    private var pending = ChunkBatch.emptyChunk()

    init(channel: CacheServerChunkChannel) { self.channel = channel }

    private static func emptyChunk() -> ByteBuffer {
        ByteBufferAllocator().buffer(capacity: CacheServerBodyProducer.chunkSize)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let room = CacheServerBodyProducer.chunkSize - pending.readableBytes
            let count = min(room, rest.count)
            pending.writeBytes(UnsafeRawBufferPointer(rebasing: rest[..<count]))
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            if pending.readableBytes >= CacheServerBodyProducer.chunkSize { try flush() }
        }
    }

    func flush() throws {
        guard pending.readableBytes > 0 else { return }
        let full = pending
        pending = Self.emptyChunk()
        try channel.send(full)
    }
}
