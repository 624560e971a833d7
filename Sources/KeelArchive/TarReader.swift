/// Reads a tar archive member by member from a `ByteSource` (a file, or a decompressor over
/// one), streaming each member's content: nothing is held in memory beyond one buffer.
///
/// Understands ustar, pax (extended `path`, `linkpath`, `size`; global headers are skipped),
/// GNU (long names and links, `L`/`K`) and v7 headers, base-256 numbers, and checks every
/// header's checksum. GNU sparse and multi-volume members and unknown types are refused.
/// Names are reported as the archive spells them: validating them as paths is the caller's job.
///
/// ```swift
/// let reader = TarReader(source: try GzipDecompressor(source: try FileByteSource(path: path)))
/// while let entry = try reader.next() {
///     while case let count = try reader.readContent(into: buffer), count > 0 { … }
/// }
/// ```
public final class TarReader<Source: ByteSource> {
    private static var bufferSize: Int { 64 * 1024 }
    /// The most a pax extended header or GNU long name may hold.
    private static var metadataLimit: UInt64 { 1 << 20 }

    private var source: Source
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// The archive offset of the next byte not yet consumed.
    private var position: UInt64 = 0
    /// Content of the current member not yet read by `readContent`.
    private var contentRemaining: UInt64 = 0
    /// Bytes to skip after it: padding to the next block, and data of members whose content
    /// is not offered.
    private var skipRemaining: UInt64 = 0
    private var currentName: [UInt8] = []
    private var ended = false

    /// A reader of the tar archive `source` yields.
    public init(source: Source) {
        self.source = source
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// The next member, skipping what is left of the previous one's content; nil after the
    /// end-of-archive marker, once the rest of the source was read (so a decompressor checks its
    /// stream to the end).
    ///
    /// - Throws: `ArchiveError` naming the member for a corrupt, truncated or unsupported header.
    public func next() throws(ArchiveError) -> TarEntry? {
        if ended { return nil }
        try skip(contentRemaining + skipRemaining)
        contentRemaining = 0
        skipRemaining = 0
        var pax: PaxExtendedHeader?
        var longName: [UInt8]?
        var longLink: [UInt8]?
        while true {
            let offset = position
            guard let block = try readBlock() else {
                throw ArchiveError(
                    pax != nil || longName != nil || longLink != nil
                        ? "the archive ends right after an extended header (truncated?)"
                        : "the archive ends without its end-of-archive marker (truncated?)")
            }
            if TarHeader.isZero(block) {
                guard pax == nil, longName == nil, longLink == nil else {
                    throw ArchiveError("an extended header is followed by the end of the archive, not by a member")
                }
                ended = true
                try drain()
                return nil
            }
            let header = try TarHeader(block, offset: offset)
            switch header.typeFlag {
            case UInt8(ascii: "x"):
                pax = try PaxExtendedHeader(try readMetadata(of: header), member: header.name)
            case UInt8(ascii: "L"):
                longName = try readMetadata(of: header).prefix { $0 != 0 }
            case UInt8(ascii: "K"):
                longLink = try readMetadata(of: header).prefix { $0 != 0 }
            case UInt8(ascii: "g"), UInt8(ascii: "V"):
                // A pax global header or a GNU volume label: nothing Keel uses.
                currentName = header.name
                try skip(Self.padded(header.size))
            default:
                return try entry(header, pax: pax, longName: longName, longLink: longLink)
            }
        }
    }

    /// Reads the current member's content: up to `buffer.count` bytes; 0 at its end.
    ///
    /// - Throws: `ArchiveError` naming the member when the archive ends inside it.
    public func readContent(into destination: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard contentRemaining > 0, let base = destination.baseAddress, destination.count > 0 else { return 0 }
        let wanted = Int(min(UInt64(destination.count), contentRemaining))
        let count: Int
        if end > start {
            count = min(wanted, end - start)
            base.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
            start += count
        } else if wanted >= Self.bufferSize {
            count = try source.read(into: UnsafeMutableRawBufferPointer(start: base, count: wanted))
        } else {
            guard try refill() else { throw truncated() }
            count = min(wanted, end - start)
            base.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
            start += count
        }
        guard count > 0 else { throw truncated() }
        contentRemaining -= UInt64(count)
        position += UInt64(count)
        return count
    }

    private func entry(_ header: TarHeader, pax: PaxExtendedHeader?, longName: [UInt8]?, longLink: [UInt8]?)
        throws(ArchiveError) -> TarEntry
    {
        let path = pax?.path ?? longName ?? header.name
        currentName = path
        let size = pax?.size ?? header.size
        guard size < 1 << 62 else { throw ArchiveError.member(path, "size \(size) is too large") }
        let kind: TarEntry.Kind
        switch header.typeFlag {
        case 0 where path.last == UInt8(ascii: "/"): kind = .directory  // v7 directories
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .regularFile
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symbolicLink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"), UInt8(ascii: "D"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        case UInt8(ascii: "S"): throw ArchiveError.member(path, "GNU sparse files are not supported")
        case UInt8(ascii: "M"): throw ArchiveError.member(path, "multi-volume archives are not supported")
        case let flag:
            throw ArchiveError.member(path, "unsupported tar entry type '\(Self.display(flag))'")
        }
        // Hard links (pax allows data after them) and GNU dump directories may carry data that
        // is skipped; devices, fifos, symlinks and directories have none whatever the size says.
        let isLink = kind == .symbolicLink || kind == .hardLink
        switch kind {
        case .regularFile: contentRemaining = size
        case .hardLink: skipRemaining = size
        case .directory where header.typeFlag != UInt8(ascii: "5"): skipRemaining = size
        default: break
        }
        skipRemaining += Self.padded(contentRemaining + skipRemaining) - (contentRemaining + skipRemaining)
        return TarEntry(
            path: path, kind: kind, linkTarget: isLink ? (pax?.linkPath ?? longLink ?? header.linkName) : [],
            mode: UInt32(header.mode & 0o7777), size: kind == .regularFile ? size : 0,
            modificationTime: pax?.modificationTime ?? header.modificationTime,
            userID: pax?.userID ?? header.userID, groupID: pax?.groupID ?? header.groupID)
    }

    /// The content of an extended header or long name (with its padding consumed).
    private func readMetadata(of header: TarHeader) throws(ArchiveError) -> [UInt8] {
        currentName = header.name
        guard header.size <= Self.metadataLimit else {
            throw ArchiveError.member(header.name, "extended header of \(header.size) bytes is too large")
        }
        var content = [UInt8](repeating: 0, count: Int(header.size))
        var filled = 0
        while filled < content.count {
            if end == start, !(try refill()) { throw truncated() }
            let count = min(content.count - filled, end - start)
            content.withUnsafeMutableBytes {
                $0.baseAddress!.advanced(by: filled).copyMemory(
                    from: buffer.baseAddress! + start, byteCount: count)
            }
            filled += count
            start += count
            position += UInt64(count)
        }
        try skip(Self.padded(header.size) - header.size)
        return content
    }

    /// The next 512-byte block, valid until the buffer is next touched; nil where the source
    /// ends cleanly before it.
    private func readBlock() throws(ArchiveError) -> UnsafeRawBufferPointer? {
        while end - start < TarHeader.blockSize {
            if !(try refill()) {
                if end == start { return nil }
                throw ArchiveError("the archive ends inside a header at offset \(position) (truncated)")
            }
        }
        let block = UnsafeRawBufferPointer(rebasing: buffer[start..<start + TarHeader.blockSize])
        start += TarHeader.blockSize
        position += UInt64(TarHeader.blockSize)
        return block
    }

    /// Discards `count` bytes of the current member.
    private func skip(_ count: UInt64) throws(ArchiveError) {
        var remaining = count
        while remaining > 0 {
            if end == start, !(try refill()) { throw truncated() }
            let taken = Int(min(remaining, UInt64(end - start)))
            start += taken
            position += UInt64(taken)
            remaining -= UInt64(taken)
        }
    }

    /// Reads the source to its end, ignoring what follows the end-of-archive marker (zero
    /// records, usually) but letting a decompressor check the rest of its stream.
    private func drain() throws(ArchiveError) {
        start = 0
        end = 0
        while try source.read(into: buffer) > 0 {}
    }

    /// Moves unread bytes to the front and reads more after them; false at the source's end.
    private func refill() throws(ArchiveError) -> Bool {
        if start > 0 {
            let unread = end - start
            if unread > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: unread) }
            start = 0
            end = unread
        }
        guard end < buffer.count else { return true }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        end += count
        return count > 0
    }

    private func truncated() -> ArchiveError {
        ArchiveError.member(currentName, "the archive ends inside its data (truncated)")
    }

    private static func padded(_ size: UInt64) -> UInt64 {
        let block = UInt64(TarHeader.blockSize)
        return size % block == 0 ? size : size + (block - size % block)
    }

    private static func display(_ flag: UInt8) -> String {
        (0x21...0x7e).contains(flag) ? String(UnicodeScalar(flag)) : "\\u{\(String(flag, radix: 16))}"
    }
}
