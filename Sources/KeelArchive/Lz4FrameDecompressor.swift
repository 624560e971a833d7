import CKeelLinux

/// The decompressed bytes of an .lz4 file in the LZ4 frame format (the system's liblz4), read
/// from another source: how apt stores its package lists.
///
/// Several frames one after another (as `cat a.lz4 b.lz4` makes) and skippable frames are one
/// stream, as `lz4 -d` reads them (no frame at all, an empty input, is an empty stream);
/// anything else after the last frame is refused as trailing garbage. liblz4 checks the block
/// and content checksums the frames carry. The legacy format (`lz4 -l`) is not read.
public final class Lz4FrameDecompressor<Source: ByteSource>: ByteSource {
    private enum State {
        case inFrame
        case betweenFrames
        case finished
    }

    private let input: CompressedInput<Source>
    private let context: OpaquePointer
    private var state = State.betweenFrames
    private var sawFrame = false

    /// Decompresses what `source` yields.
    ///
    /// - Throws: `ArchiveError` when liblz4 cannot be set up.
    public init(source: Source) throws(ArchiveError) {
        input = CompressedInput(source: source)
        var created: OpaquePointer?
        let status = LZ4F_createDecompressionContext(&created, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(status) == 0, let created else {
            throw ArchiveError("lz4: cannot start liblz4 (\(Self.message(status)))")
        }
        context = created
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    /// Reads decompressed bytes; 0 once the last frame ended at the end of the source.
    ///
    /// - Throws: `ArchiveError` for corrupt or truncated data and for trailing garbage.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard let output = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            switch state {
            case .finished:
                return 0
            case .betweenFrames:
                if !(try input.fill(atLeast: 4)) && input.available == 0 {
                    state = .finished
                    return 0
                }
                guard Self.startsFrame(input.unconsumed) else {
                    throw ArchiveError(
                        sawFrame ? "lz4: trailing garbage after the compressed stream" : "lz4: not an lz4 frame")
                }
                sawFrame = true
                state = .inFrame
            case .inFrame:
                let unconsumed = input.unconsumed
                var offered = unconsumed.count
                var room = buffer.count
                let hint = LZ4F_decompress(context, output, &room, unconsumed.baseAddress, &offered, nil)
                input.consume(offered)
                if LZ4F_isError(hint) != 0 {
                    throw ArchiveError("lz4: corrupt data (\(Self.message(hint)))")
                }
                if hint == 0 {
                    state = .betweenFrames
                } else if offered == 0, room == 0, !(try input.refill()) {
                    throw ArchiveError("lz4: the compressed stream is truncated")
                }
                if room > 0 { return room }
            }
        }
    }

    /// Whether `bytes` start with the magic number of an LZ4 frame or of a skippable frame
    /// (0x184D2204 and 0x184D2A50…0x184D2A5F, little-endian).
    private static func startsFrame(_ bytes: UnsafeMutableRawBufferPointer) -> Bool {
        guard bytes.count >= 4 else { return false }
        let magic = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        return magic == 0x184D_2204 || magic & 0xFFFF_FFF0 == 0x184D_2A50
    }

    private static func message(_ code: Int) -> String {
        guard let name = LZ4F_getErrorName(code) else { return "liblz4 error \(code)" }
        return String(cString: name)
    }
}
