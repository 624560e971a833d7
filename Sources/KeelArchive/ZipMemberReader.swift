import CKeelLinux

/// The content of one zip member, read in order: stored bytes copied, deflated bytes inflated
/// (the system's zlib), and at the end the length and CRC-32 checked against the central
/// directory.
public final class ZipMemberReader: ByteSource {
    private let entry: ZipEntry
    private let input: CompressedInput<FileRangeSource>
    /// The inflater of a deflated member; nil for a stored one.
    private let stream: UnsafeMutablePointer<z_stream>?
    private var produced: UInt64 = 0
    private var checksum: uLong = 0
    private var streamEnded = false
    private var finished = false

    /// Opens the content of `entry` of `file`, whose local header must agree with it.
    init(file: ArchiveFile, entry: ZipEntry) throws(ArchiveError) {
        self.entry = entry
        guard !entry.isEncrypted, entry.compressionMethod != 99 else {
            throw ArchiveError.member(entry.path, "encrypted zip members are not supported")
        }
        guard entry.compressionMethod == 0 || entry.compressionMethod == 8 else {
            throw ArchiveError.member(
                entry.path,
                "compression method \(entry.compressionMethod)\(Self.methodName(entry.compressionMethod)) "
                    + "is not supported (only stored and deflate)")
        }
        guard entry.compressionMethod == 8 || entry.compressedSize == entry.size else {
            throw ArchiveError.member(entry.path, "stored member whose stored and declared sizes differ (corrupt)")
        }
        let header = try file.read(count: 30, at: entry.localHeaderOffset)
        var cursor = LittleEndianCursor(header)
        guard header.count == 30, cursor.take(4) == [0x50, 0x4b, 0x03, 0x04], cursor.take(22) != nil,
            let nameLength = cursor.uint16(), let extraLength = cursor.uint16()
        else {
            throw ArchiveError.member(entry.path, "its local header is missing or corrupt")
        }
        let nameOffset = entry.localHeaderOffset + 30
        guard try file.read(count: Int(nameLength), at: nameOffset) == entry.path else {
            throw ArchiveError.member(entry.path, "its local header names another member (corrupt)")
        }
        let dataOffset = nameOffset + UInt64(nameLength) + UInt64(extraLength)
        guard dataOffset <= file.size, entry.compressedSize <= file.size - dataOffset else {
            throw ArchiveError.member(entry.path, "its data runs past the end of the archive (truncated)")
        }
        input = CompressedInput(source: FileRangeSource(file: file, offset: dataOffset, length: entry.compressedSize))
        if entry.compressionMethod == 8 {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard ckeel_inflate_init(stream, -15) == Z_OK else {
                stream.deallocate()
                throw ArchiveError.member(entry.path, "cannot start zlib")
            }
            self.stream = stream
        } else {
            stream = nil
        }
        checksum = crc32(0, nil, 0)
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
        }
    }

    /// Reads the next bytes of the content; 0 at its end, once its length and CRC-32 matched.
    ///
    /// - Throws: `ArchiveError` naming the member for corrupt or truncated data, or a length or
    ///   CRC-32 that differs from the central directory's.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count: Int
        if let stream { count = try inflate(stream, into: buffer) } else { count = try copyStored(into: buffer) }
        if count == 0 {
            try finish()
            return 0
        }
        produced += UInt64(count)
        guard produced <= entry.size else {
            throw ArchiveError.member(entry.path, "holds more data than the \(entry.size) bytes it declares (corrupt)")
        }
        checksum = crc32(checksum, base.assumingMemoryBound(to: Bytef.self), uInt(count))
        return count
    }

    private func copyStored(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        if input.available == 0, !(try input.refill()) { return 0 }
        let count = min(buffer.count, input.available)
        buffer.baseAddress!.copyMemory(from: input.unconsumed.baseAddress!, byteCount: count)
        input.consume(count)
        return count
    }

    private func inflate(_ stream: UnsafeMutablePointer<z_stream>, into buffer: UnsafeMutableRawBufferPointer)
        throws(ArchiveError) -> Int
    {
        if streamEnded { return 0 }
        let room = min(buffer.count, Int(UInt32.max))
        while true {
            if input.available == 0, !(try input.refill()) {
                throw ArchiveError.member(entry.path, "its deflate stream is truncated")
            }
            let unconsumed = input.unconsumed
            stream.pointee.next_in = unconsumed.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(unconsumed.count)
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let status = CKeelLinux.inflate(stream, Z_NO_FLUSH)
            let consumed = unconsumed.count - Int(stream.pointee.avail_in)
            input.consume(consumed)
            let count = room - Int(stream.pointee.avail_out)
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
            switch status {
            case Z_STREAM_END:
                streamEnded = true
                return count
            case Z_OK, Z_BUF_ERROR:
                if count > 0 { return count }
                if consumed == 0, !(try input.refill()) {
                    throw ArchiveError.member(entry.path, "its deflate stream is truncated")
                }
            default:
                throw ArchiveError.member(entry.path, "corrupt deflate data")
            }
        }
    }

    /// Checks the length and CRC-32 once the content ended.
    private func finish() throws(ArchiveError) {
        finished = true
        guard produced == entry.size else {
            throw ArchiveError.member(
                entry.path, "holds \(produced) bytes, not the \(entry.size) it declares (corrupt)")
        }
        guard UInt32(truncatingIfNeeded: checksum) == entry.checksum else {
            throw ArchiveError.member(entry.path, "CRC-32 mismatch (corrupt)")
        }
    }

    private static func methodName(_ method: UInt16) -> String {
        switch method {
        case 12: " (bzip2)"
        case 14: " (lzma)"
        case 93: " (zstd)"
        case 95: " (xz)"
        default: ""
        }
    }
}
