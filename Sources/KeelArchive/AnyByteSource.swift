/// Any byte source behind one type, so that a reader can be built over a decompressor chosen at
/// run time (`TarReader<AnyByteSource>`).
final class AnyByteSource: ByteSource {
    private var base: any ByteSource

    init(_ base: any ByteSource) { self.base = base }

    /// Reads from the wrapped source.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        try base.read(into: buffer)
    }
}
