import KeelFormats

/// A `NARSink` that hands each filled buffer straight to a `CacheNarConsumer` on the dumping
/// thread, reusing one buffer from a pool: a push runs several paths at once, one per worker,
/// and needs no second thread, fresh buffer or page faults per path.
struct CacheNarSink: NARSink {
    /// What takes the bytes; read it after the writer's `finish()`.
    private(set) var consumer: CacheNarConsumer
    private let buffer: CacheNarBuffer

    /// A sink filling `buffer` and handing it to `consumer`.
    init(consumer: CacheNarConsumer, buffer: CacheNarBuffer) {
        self.consumer = consumer
        self.buffer = buffer
    }

    /// Hands the filled bytes to the consumer and lends the buffer again.
    mutating func nextBuffer(filled: Int) throws -> UnsafeMutableRawBufferPointer {
        if filled > 0 { try consumer.consume(UnsafeRawBufferPointer(rebasing: buffer.bytes[..<filled])) }
        return buffer.bytes
    }

    /// Hands the last bytes to the consumer and finishes it.
    mutating func finish(filled: Int) throws {
        if filled > 0 { try consumer.consume(UnsafeRawBufferPointer(rebasing: buffer.bytes[..<filled])) }
        try consumer.finish()
    }
}

/// A buffer a NAR is written into, reused from path to path; freed with its last reference.
final class CacheNarBuffer: @unchecked Sendable {
    /// The bytes; used by one dump at a time (the pool hands the buffer to one worker).
    let bytes: UnsafeMutableRawBufferPointer

    /// A buffer of `size` bytes.
    init(size: Int = 256 * 1024) { bytes = .allocate(byteCount: size, alignment: 4096) }

    deinit { bytes.deallocate() }
}
