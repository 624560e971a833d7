import CKeelLinux

/// The decompressed bytes of a zstd stream (the system's libzstd, through its streaming
/// decoder), read from another source.
///
/// Concatenated frames and skippable frames are one stream, as `zstd -d` reads them; anything
/// else after the last frame is refused as trailing garbage, and an empty input as no stream at
/// all. libzstd checks each frame's content checksum where the frame has one. Frames needing a
/// window larger than libzstd's default limit (128 MiB, as `zstd -d` without `--long`) are
/// refused.
public final class ZstdDecompressor<Source: ByteSource>: ByteSource {
    private let input: CompressedInput<Source>
    private let stream: OpaquePointer
    /// Whether the decoder stands between frames: nothing of a frame read, nothing left to flush.
    private var betweenFrames = true
    /// Whether a whole frame has been decoded.
    private var sawFrame = false
    private var finished = false

    /// Decompresses what `source` yields.
    ///
    /// - Throws: `ArchiveError` when libzstd cannot be set up.
    public init(source: Source) throws(ArchiveError) {
        input = CompressedInput(source: source)
        guard let stream = ZSTD_createDStream() else {
            throw ArchiveError("zstd: cannot start libzstd (out of memory)")
        }
        let status = ZSTD_initDStream(stream)
        guard ZSTD_isError(status) == 0 else {
            ZSTD_freeDStream(stream)
            throw ArchiveError("zstd: cannot start libzstd (\(Self.name(of: status)))")
        }
        self.stream = stream
    }

    deinit { ZSTD_freeDStream(stream) }

    /// Reads decompressed bytes; 0 once the last frame ended at the end of the source.
    ///
    /// - Throws: `ArchiveError` for corrupt or truncated data, trailing garbage and an empty
    ///   input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard let output = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while !finished {
            if input.available == 0 { _ = try input.refill() }
            if input.available == 0, betweenFrames {
                guard sawFrame else { throw ArchiveError("zstd: the input is empty (no zstd frame)") }
                finished = true
                return 0
            }
            let unconsumed = input.unconsumed
            var source = ZSTD_inBuffer(src: UnsafeRawPointer(unconsumed.baseAddress), size: unconsumed.count, pos: 0)
            var destination = ZSTD_outBuffer(dst: output, size: buffer.count, pos: 0)
            let result = ZSTD_decompressStream(stream, &destination, &source)
            input.consume(source.pos)
            guard ZSTD_isError(result) == 0 else { throw error(for: result) }
            betweenFrames = result == 0
            if betweenFrames { sawFrame = true }
            if destination.pos > 0 { return destination.pos }
            // No output: more input is needed, unless the frame just ended.
            if !betweenFrames, source.pos == 0, !(try input.refill()) {
                throw ArchiveError("zstd: the compressed stream is truncated")
            }
        }
        return 0
    }

    /// The error for libzstd's failed `result`.
    private func error(for result: Int) -> ArchiveError {
        if ZSTD_getErrorCode(result) == ZSTD_error_prefix_unknown {
            return ArchiveError(
                sawFrame && betweenFrames
                    ? "zstd: trailing garbage after the compressed stream"
                    : "zstd: not a zstd stream (unknown frame magic)")
        }
        return ArchiveError("zstd: corrupt data (\(Self.name(of: result)))")
    }

    private static func name(of result: Int) -> String {
        guard let name = ZSTD_getErrorName(result) else { return "libzstd error \(result)" }
        return String(cString: name)
    }
}
