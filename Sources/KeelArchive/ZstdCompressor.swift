import CKeelLinux

/// A zstd stream (the system's libzstd) with pinned settings: one frame at level 3, single
/// threaded, with a content checksum (as the `zstd` tool writes by default), and without the
/// content size in the frame header (the input is streamed, its size not known up front).
///
/// The compression parameters are always chosen for an input of unknown size, so the bytes do
/// not depend on how the input is split into `compress` calls; they do depend on the libzstd
/// version. One instance makes one stream; it is not for sharing between threads.
public final class ZstdCompressor: StreamCompressor {
    /// The compression level.
    public static let level: Int32 = 3
    private static let outputSize = 128 * 1024

    private let context: OpaquePointer
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false

    /// A compressor of a new zstd stream.
    ///
    /// - Throws: `ArchiveError` when libzstd cannot be set up.
    public init() throws(ArchiveError) {
        guard let context = ZSTD_createCCtx() else {
            throw ArchiveError("zstd: cannot start libzstd (out of memory)")
        }
        let settings: [(ZSTD_cParameter, Int32)] = [
            (ZSTD_c_compressionLevel, Self.level), (ZSTD_c_checksumFlag, 1), (ZSTD_c_contentSizeFlag, 0),
            (ZSTD_c_nbWorkers, 0),
        ]
        for (parameter, value) in settings {
            let result = ZSTD_CCtx_setParameter(context, parameter, value)
            guard ZSTD_isError(result) == 0 else {
                ZSTD_freeCCtx(context)
                throw ArchiveError("zstd: cannot set up libzstd (\(Self.name(of: result)))")
            }
        }
        self.context = context
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.outputSize, alignment: 16)
    }

    deinit {
        ZSTD_freeCCtx(context)
        buffer.deallocate()
    }

    /// Compresses `input`, handing compressed bytes to `sink` as libzstd produces them.
    ///
    /// - Throws: `ArchiveError` after `finish` or when libzstd fails; what `sink` throws.
    public func compress(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw ArchiveError("zstd: the stream is already finished") }
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        // Even an empty first call starts the frame as one of unknown size.
        repeat {
            try step(&source, ZSTD_e_continue, into: sink)
        } while source.pos < source.size
    }

    /// Ends the frame, handing the rest of it (and its checksum) to `sink`.
    ///
    /// - Throws: `ArchiveError` when called twice or when libzstd fails; what `sink` throws.
    public func finish(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw ArchiveError("zstd: the stream is already finished") }
        var source = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        // Start the frame with unknown size first: ending it at once would pledge a size of 0.
        try step(&source, ZSTD_e_continue, into: sink)
        while try step(&source, ZSTD_e_end, into: sink) != 0 {}
        finished = true
    }

    /// One ZSTD_compressStream2 call into the whole output buffer, handing what it produced to
    /// `sink`; libzstd's result (for ZSTD_e_end, 0 once the frame is complete).
    @discardableResult
    private func step(
        _ source: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective,
        into sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        var destination = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        let result = ZSTD_compressStream2(context, &destination, &source, directive)
        guard ZSTD_isError(result) == 0 else { throw ArchiveError("zstd: libzstd failed (\(Self.name(of: result)))") }
        if destination.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: buffer[..<destination.pos])) }
        return result
    }

    private static func name(of result: Int) -> String {
        guard let name = ZSTD_getErrorName(result) else { return "libzstd error \(result)" }
        return String(cString: name)
    }
}
