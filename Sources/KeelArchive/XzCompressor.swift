import CKeelLinux

/// An .xz stream (the system's liblzma) with Nix's pinned settings: `lzma_easy_encoder` at
/// preset 6 with a CRC64 check, single threaded, as Nix 2.8's xz sink writes a binary cache's
/// NARs (and as `xz -6 --check=crc64 -T1` does).
///
/// The single-threaded encoder writes one block whatever the input's size, so the bytes do not
/// depend on how the input is split into `compress` calls; they do depend on the liblzma
/// version. One instance makes one stream; it is not for sharing between threads.
public final class XzCompressor: StreamCompressor {
    /// The lzma_easy_encoder preset.
    public static let preset: UInt32 = 6
    private static let outputSize = 128 * 1024

    private let stream: UnsafeMutablePointer<lzma_stream>
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false

    /// A compressor of a new xz stream.
    ///
    /// - Throws: `ArchiveError` when liblzma cannot be set up.
    public init() throws(ArchiveError) {
        stream = UnsafeMutablePointer<lzma_stream>.allocate(capacity: 1)
        stream.initialize(to: lzma_stream())
        let status = ckeel_xz_encoder_init(stream, Self.preset, LZMA_CHECK_CRC64)
        guard status == LZMA_OK else {
            stream.deallocate()
            throw ArchiveError("xz: cannot start liblzma's encoder (\(Self.name(of: status)))")
        }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.outputSize, alignment: 16)
    }

    deinit {
        lzma_end(stream)
        stream.deallocate()
        buffer.deallocate()
    }

    /// Compresses `input`, handing compressed bytes to `sink` as liblzma produces them.
    ///
    /// - Throws: `ArchiveError` after `finish` or when liblzma fails; what `sink` throws.
    public func compress(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw ArchiveError("xz: the stream is already finished") }
        guard let base = input.baseAddress, !input.isEmpty else { return }
        stream.pointee.next_in = base.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_in = input.count
        defer { stream.pointee.next_in = nil }
        while stream.pointee.avail_in > 0 {
            try step(LZMA_RUN, into: sink)
        }
    }

    /// Ends the stream, handing the rest of it (the index and footer) to `sink`.
    ///
    /// - Throws: `ArchiveError` when called twice or when liblzma fails; what `sink` throws.
    public func finish(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw ArchiveError("xz: the stream is already finished") }
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        while try step(LZMA_FINISH, into: sink) != LZMA_STREAM_END {}
        finished = true
    }

    /// One lzma_code call into the whole output buffer, handing what it produced to `sink`;
    /// liblzma's status (LZMA_OK, or LZMA_STREAM_END once a finished stream is complete).
    @discardableResult
    private func step(_ action: lzma_action, into sink: (UnsafeRawBufferPointer) throws -> Void) throws
        -> lzma_ret
    {
        stream.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = buffer.count
        let status = lzma_code(stream, action)
        let produced = buffer.count - stream.pointee.avail_out
        stream.pointee.next_out = nil
        guard status == LZMA_OK || status == LZMA_STREAM_END else {
            throw ArchiveError("xz: liblzma failed (\(Self.name(of: status)))")
        }
        if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: buffer[..<produced])) }
        return status
    }

    private static func name(of status: lzma_ret) -> String {
        switch status {
        case LZMA_MEM_ERROR: "out of memory"
        case LZMA_OPTIONS_ERROR: "unsupported options"
        case LZMA_PROG_ERROR: "programming error"
        default: "status \(status.rawValue)"
        }
    }
}
