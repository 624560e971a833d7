import CKeelLinux

/// A gzip stream (the system's zlib), byte-identical to what Python's
/// `gzip.GzipFile(filename="", mode="wb", mtime=0, compresslevel=6)` writes for the same input
/// with the same zlib: the header `1f 8b 08 00 00000000 00 ff` (no name, mtime 0, unknown OS),
/// raw deflate at level 6 (window bits 15, memory level 8, default strategy), then the CRC-32
/// and the length modulo 2^32, little-endian.
///
/// One instance makes one stream; it is not for sharing between threads.
public final class GzipCompressor: StreamCompressor {
    private static let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]
    private static let outputSize = 64 * 1024

    private let stream: UnsafeMutablePointer<z_stream>
    private let buffer: UnsafeMutableRawBufferPointer
    private var checksum = crc32(0, nil, 0)
    private var length: UInt32 = 0
    private var wroteHeader = false
    private var finished = false

    /// A compressor of a new gzip stream.
    ///
    /// - Throws: `ArchiveError` when zlib cannot be set up.
    public init() throws(ArchiveError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = ckeel_deflate_init(stream, 6, -15, 8)
        guard status == Z_OK else {
            stream.deallocate()
            throw ArchiveError("gzip: cannot start zlib (status \(status))")
        }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.outputSize, alignment: 16)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        buffer.deallocate()
    }

    /// Compresses `input`, handing compressed bytes to `sink` as zlib produces them.
    ///
    /// - Throws: `ArchiveError` after `finish` or when zlib fails; what `sink` throws.
    public func compress(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try start(into: sink)
        guard let base = input.baseAddress, !input.isEmpty else { return }
        var offset = 0
        while offset < input.count {
            // zlib counts in 32 bits: feed at most 1 GiB at a time.
            let piece = min(input.count - offset, 1 << 30)
            let bytes = (base + offset).assumingMemoryBound(to: Bytef.self)
            checksum = crc32(checksum, bytes, uInt(piece))
            length &+= UInt32(truncatingIfNeeded: piece)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes)
            stream.pointee.avail_in = uInt(piece)
            var filledBuffer = false
            repeat {
                filledBuffer = try deflateOnce(flush: Z_NO_FLUSH, into: sink).filledBuffer
            } while stream.pointee.avail_in > 0 || filledBuffer
            stream.pointee.next_in = nil
            offset += piece
        }
    }

    /// Ends the stream: the rest of the deflate data, then the CRC-32 and length trailer.
    ///
    /// - Throws: `ArchiveError` when called twice or when zlib fails; what `sink` throws.
    public func finish(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try start(into: sink)
        var status: Int32
        repeat {
            status = try deflateOnce(flush: Z_FINISH, into: sink).status
        } while status != Z_STREAM_END
        finished = true
        var trailer: [UInt8] = []
        for value in [UInt32(truncatingIfNeeded: checksum), length] {
            trailer += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        try trailer.withUnsafeBytes { try sink($0) }
    }

    /// Writes the header before the first output; refuses input after `finish`.
    private func start(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw ArchiveError("gzip: the stream is already finished") }
        guard !wroteHeader else { return }
        wroteHeader = true
        try Self.header.withUnsafeBytes { try sink($0) }
    }

    /// One call of deflate with the whole output buffer, handing what it produced to `sink`:
    /// zlib's status, and whether it filled the buffer (so more output may be waiting).
    private func deflateOnce(
        flush: Int32, into sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> (status: Int32, filledBuffer: Bool) {
        stream.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(buffer.count)
        let status = deflate(stream, flush)
        let produced = buffer.count - Int(stream.pointee.avail_out)
        stream.pointee.next_out = nil
        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
            throw ArchiveError("gzip: zlib failed (status \(status))")
        }
        if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: buffer[..<produced])) }
        return (status, produced == buffer.count)
    }
}
