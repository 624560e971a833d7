import CKeelLinux

/// The decompressed bytes of a gzip stream (the system's zlib), read from another source.
///
/// Several members one after another (as `cat a.gz b.gz` makes) are one stream; anything else
/// after the last member is refused as trailing garbage, and every member's CRC and length are
/// checked by zlib.
public final class GzipDecompressor<Source: ByteSource>: ByteSource {
    private enum State {
        case inMember
        case betweenMembers
        case finished
    }

    private let input: CompressedInput<Source>
    private let stream: UnsafeMutablePointer<z_stream>
    private var state = State.inMember

    /// Decompresses what `source` yields.
    ///
    /// - Throws: `ArchiveError` when zlib cannot be set up.
    public init(source: Source) throws(ArchiveError) {
        input = CompressedInput(source: source)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = ckeel_inflate_init(stream, 15 + 16)
        guard status == Z_OK else {
            stream.deallocate()
            throw ArchiveError("gzip: cannot start zlib (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Reads decompressed bytes; 0 once the last member ended at the end of the source.
    ///
    /// - Throws: `ArchiveError` for corrupt or truncated data and for trailing garbage.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard let output = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            switch state {
            case .finished:
                return 0
            case .betweenMembers:
                if !(try input.fill(atLeast: 2)) && input.available == 0 {
                    state = .finished
                    return 0
                }
                let next = input.unconsumed
                guard next.count >= 2, next[0] == 0x1f, next[1] == 0x8b else {
                    throw ArchiveError("gzip: trailing garbage after the compressed stream")
                }
                inflateReset(stream)
                state = .inMember
            case .inMember:
                if input.available == 0, !(try input.refill()) {
                    throw ArchiveError("gzip: the compressed stream is truncated")
                }
                let unconsumed = input.unconsumed
                let offered = min(unconsumed.count, Int(UInt32.max))
                let room = min(buffer.count, Int(UInt32.max))
                stream.pointee.next_in = unconsumed.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = uInt(offered)
                stream.pointee.next_out = output.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(room)
                let status = inflate(stream, Z_NO_FLUSH)
                let consumed = offered - Int(stream.pointee.avail_in)
                let produced = room - Int(stream.pointee.avail_out)
                input.consume(consumed)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                switch status {
                case Z_STREAM_END:
                    state = .betweenMembers
                case Z_OK, Z_BUF_ERROR:
                    if consumed == 0, produced == 0, !(try input.refill()) {
                        throw ArchiveError("gzip: the compressed stream is truncated")
                    }
                default:
                    throw ArchiveError("gzip: corrupt data (\(Self.message(stream.pointee.msg, status: status)))")
                }
                if produced > 0 { return produced }
            }
        }
    }

    private static func message(_ text: UnsafeMutablePointer<CChar>?, status: Int32) -> String {
        guard let text else { return "zlib status \(status)" }
        return String(cString: text)
    }
}
