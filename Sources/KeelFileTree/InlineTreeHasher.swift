import KeelFormats

extension TreeDumper {
    /// Hashes the NAR of the tree at `path` (with `filter` applied) on the calling thread alone:
    /// no read-ahead thread, no hashing thread, one small buffer. For many small trees, such as
    /// the source packages of a configuration, where starting threads and mapping their buffers
    /// costs more than overlapping the work saves; `hash(path:filter:algorithm:)` is faster for
    /// big trees.
    ///
    /// - Returns: the hash and the NAR's size in bytes.
    public static func hashInline(path: String, filter: SourceTreeFilter? = nil, algorithm: HashAlgorithm = .sha256)
        throws -> (hash: NixHash, size: UInt64)
    {
        var writer = try NARWriter(sink: InlineHashingSink(algorithm: algorithm))
        var walker = Walker(
            root: path, filter: filter, prefetcher: FilePrefetcher(threads: 0), mirror: ValidatingNARVisitor())
        do {
            defer { walker.stop() }
            try walker.dumpRoot(into: &writer)
        }
        try writer.finish()
        return (writer.sink.hasher.finalize(), writer.sink.size)
    }
}

/// A NAR sink that hashes each buffer as the writer fills it, on the writer's thread.
struct InlineHashingSink: NARSink {
    /// The hash of the bytes so far.
    private(set) var hasher: StreamingHasher
    /// How many bytes so far.
    private(set) var size: UInt64 = 0
    private let buffer: UnsafeMutableRawBufferPointer

    init(algorithm: HashAlgorithm) {
        hasher = StreamingHasher(algorithm)
        buffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    mutating func nextBuffer(filled: Int) throws -> UnsafeMutableRawBufferPointer {
        take(filled)
        return buffer
    }

    mutating func finish(filled: Int) throws {
        take(filled)
        buffer.deallocate()
    }

    private mutating func take(_ filled: Int) {
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
        size += UInt64(filled)
    }
}
