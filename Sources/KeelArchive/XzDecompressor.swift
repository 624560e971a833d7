import CKeelLinux

/// The decompressed bytes of an .xz stream (the system's liblzma), read from another source.
///
/// Concatenated streams and the zero stream padding between them are accepted, as `xz -d`
/// does; anything else after the last stream is refused as trailing garbage. liblzma checks
/// each block's integrity check.
public final class XzDecompressor<Source: ByteSource>: ByteSource {
    private enum State {
        case inStream
        case betweenStreams(padding: Int)
        case finished
    }

    private static var magic: [UInt8] { [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] }

    private let input: CompressedInput<Source>
    private let stream: UnsafeMutablePointer<lzma_stream>
    private var state = State.inStream

    /// Decompresses what `source` yields.
    ///
    /// - Throws: `ArchiveError` when liblzma cannot be set up.
    public init(source: Source) throws(ArchiveError) {
        input = CompressedInput(source: source)
        stream = UnsafeMutablePointer<lzma_stream>.allocate(capacity: 1)
        stream.initialize(to: lzma_stream())
        let status = ckeel_xz_decoder_init(stream)
        guard status == LZMA_OK else {
            stream.deallocate()
            throw ArchiveError("xz: cannot start liblzma (status \(status.rawValue))")
        }
    }

    deinit {
        lzma_end(stream)
        stream.deallocate()
    }

    /// Reads decompressed bytes; 0 once the last stream ended at the end of the source.
    ///
    /// - Throws: `ArchiveError` for corrupt or truncated data and for trailing garbage.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard let output = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            switch state {
            case .finished:
                return 0
            case .betweenStreams(let padding):
                try skipPadding(after: padding)
            case .inStream:
                if input.available == 0 { _ = try input.refill() }
                let unconsumed = input.unconsumed
                stream.pointee.next_in = UnsafePointer(unconsumed.baseAddress?.assumingMemoryBound(to: UInt8.self))
                stream.pointee.avail_in = unconsumed.count
                stream.pointee.next_out = output.assumingMemoryBound(to: UInt8.self)
                stream.pointee.avail_out = buffer.count
                let status = lzma_code(stream, input.sourceEnded ? LZMA_FINISH : LZMA_RUN)
                let consumed = unconsumed.count - stream.pointee.avail_in
                let produced = buffer.count - stream.pointee.avail_out
                input.consume(consumed)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                switch status {
                case LZMA_STREAM_END:
                    state = .betweenStreams(padding: 0)
                case LZMA_OK:
                    if consumed == 0, produced == 0, input.sourceEnded {
                        throw ArchiveError("xz: the compressed stream is truncated")
                    }
                case LZMA_BUF_ERROR:
                    throw ArchiveError("xz: the compressed stream is truncated")
                case LZMA_FORMAT_ERROR:
                    throw ArchiveError("xz: not an xz stream")
                case LZMA_OPTIONS_ERROR:
                    throw ArchiveError("xz: the stream uses options liblzma does not support")
                case LZMA_MEM_ERROR, LZMA_MEMLIMIT_ERROR:
                    throw ArchiveError("xz: out of memory")
                default:
                    throw ArchiveError("xz: corrupt data (liblzma status \(status.rawValue))")
                }
                if produced > 0 { return produced }
            }
        }
    }

    /// After a stream: skips the zero padding (a multiple of 4 bytes); then either the source
    /// ends, or the next stream starts with the magic bytes.
    private func skipPadding(after counted: Int) throws(ArchiveError) {
        var padding = counted
        if input.available == 0, !(try input.refill()) {
            guard padding % 4 == 0 else { throw ArchiveError("xz: stream padding is not a multiple of 4 bytes") }
            state = .finished
            return
        }
        let zeros = input.unconsumed.prefix { $0 == 0 }.count
        input.consume(zeros)
        padding += zeros
        guard input.available > 0 else {
            state = .betweenStreams(padding: padding)
            return
        }
        let magic = Self.magic
        _ = try input.fill(atLeast: magic.count)
        guard padding % 4 == 0, input.unconsumed.starts(with: magic) else {
            throw ArchiveError("xz: trailing garbage after the compressed stream")
        }
        lzma_end(stream)
        let status = ckeel_xz_decoder_init(stream)
        guard status == LZMA_OK else { throw ArchiveError("xz: cannot start liblzma (status \(status.rawValue))") }
        state = .inStream
    }
}
