/// A buffered reader of the framing shared by NARs and export streams (spec/nix-formats.md §0):
/// little-endian `u64`s and length-prefixed, zero-padded strings.
///
/// It counts the absolute offset of every byte (for errors) and can hash the bytes it consumes,
/// so a NAR embedded in a larger stream is hashed without a second pass. It never reads more from
/// its source than it needs to fill its buffer, and what it buffered stays available to the next
/// parser sharing the reader.
///
/// The reader is not generic over its source: one dynamic call per buffer refill is nothing,
/// whereas a generic reader used from another module runs unspecialised, looking up its own type
/// metadata on every token.
public struct ByteReader: ~Copyable {
    private var source: any ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var hashedUpTo = 0
    private var hasher: StreamingHasher?
    private var hashedCount: UInt64 = 0
    private var sourceEnded = false
    /// The absolute offset of the next byte to be consumed.
    public private(set) var offset: UInt64 = 0

    /// Reads from `source` through a buffer of `bufferSize` bytes.
    public init(source: some ByteSource, bufferSize: Int = 256 * 1024) {
        self.source = source
        buffer = .allocate(byteCount: max(bufferSize, 64), alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Starts hashing every byte consumed from now on.
    public mutating func startHashing(_ algorithm: HashAlgorithm = .sha256) {
        hasher = StreamingHasher(algorithm)
        hashedUpTo = start
        hashedCount = 0
    }

    /// Stops hashing and returns the hash and count of the bytes consumed since `startHashing`.
    public mutating func finishHashing() -> (hash: NixHash, size: UInt64)? {
        flushHash()
        defer { hasher = nil }
        guard let hasher else { return nil }
        return (hasher.finalize(), hashedCount)
    }

    private mutating func flushHash() {
        guard hasher != nil, hashedUpTo < start else { return }
        hasher!.update(UnsafeRawBufferPointer(rebasing: buffer[hashedUpTo..<start]))
        hashedCount += UInt64(start - hashedUpTo)
        hashedUpTo = start
    }

    /// Makes at least `count` bytes available (count ≤ buffer size); false at end of input.
    private mutating func fill(_ count: Int) throws -> Bool {
        if end - start >= count { return true }
        flushHash()
        if start > 0 {
            let pending = end - start
            if pending > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[0..<pending])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            }
            start = 0
            end = pending
            hashedUpTo = 0
        }
        while end - start < count {
            if sourceEnded { return false }
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if read == 0 {
                sourceEnded = true
                return false
            }
            end += read
        }
        return true
    }

    /// Whether the input has ended (no byte is left).
    public mutating func atEnd() throws -> Bool {
        try !fill(1)
    }

    /// Reads one little-endian u64.
    public mutating func readUInt64() throws -> UInt64 {
        let at = offset
        guard try fill(8) else { throw ByteReaderError.truncated(offset: at) }
        let value = UnsafeRawBufferPointer(rebasing: buffer[start..<start + 8]).loadUnaligned(as: UInt64.self)
        consume(8)
        return UInt64(littleEndian: value)
    }

    private mutating func consume(_ count: Int) {
        start += count
        offset += UInt64(count)
    }

    /// Reads a string of at most `limit` bytes, with its zero padding checked.
    ///
    /// - Throws: `ByteReaderError` for a longer string, non-zero padding or truncation.
    public mutating func readString(limit: Int) throws -> [UInt8] {
        let at = offset
        let length = try readUInt64()
        guard length <= UInt64(limit) else {
            throw ByteReaderError.stringTooLong(offset: at, length: length, limit: limit)
        }
        var result = [UInt8]()
        result.reserveCapacity(Int(length))
        try readBytes(count: length) { result.append(contentsOf: $0) }
        try readPadding(after: length)
        return result
    }

    /// Reads exactly `count` raw bytes, handing them to `body` in chunks as they arrive.
    public mutating func readBytes(count: UInt64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if start == end {
                guard try fill(1) else { throw ByteReaderError.truncated(offset: offset) }
            }
            let chunk = min(end - start, Int(clamping: remaining))
            try body(UnsafeRawBufferPointer(rebasing: buffer[start..<start + chunk]))
            consume(chunk)
            remaining -= UInt64(chunk)
        }
    }

    /// Reads the zero padding after `length` bytes of string data.
    public mutating func readPadding(after length: UInt64) throws {
        let padding = Int((8 - length % 8) % 8)
        guard padding > 0 else { return }
        let at = offset
        guard try fill(padding) else { throw ByteReaderError.truncated(offset: at) }
        for index in start..<start + padding where buffer[index] != 0 {
            throw ByteReaderError.nonZeroPadding(offset: at)
        }
        consume(padding)
    }

    /// Consumes the string `token` (with its padding) if it comes next, comparing in place
    /// without allocating; otherwise consumes nothing and returns false (also when the input is
    /// truncated or the padding is bad: reading the string then reports that).
    public mutating func skip(_ token: [UInt8]) throws -> Bool {
        let padded = (token.count + 7) & ~7
        guard try fill(8 + padded) else { return false }
        let length = UnsafeRawBufferPointer(rebasing: buffer[start..<start + 8]).loadUnaligned(as: UInt64.self)
        guard UInt64(littleEndian: length) == UInt64(token.count) else { return false }
        let text = start + 8
        let matches = token.withUnsafeBytes { expected in
            expected.elementsEqual(UnsafeRawBufferPointer(rebasing: buffer[text..<text + token.count]))
        }
        guard matches, !buffer[text + token.count..<text + padded].contains(where: { $0 != 0 }) else { return false }
        consume(8 + padded)
        return true
    }

    /// Reads a string and checks it equals `expected`.
    public mutating func expect(_ expected: [UInt8]) throws {
        if try skip(expected) { return }
        let at = offset
        let found = try readString(limit: 64)
        guard found == expected else {
            throw ByteReaderError.unexpectedToken(offset: at, expected: [expected], found: found)
        }
    }
}

/// A framing error, at a byte offset.
public enum ByteReaderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before the structure did.
    case truncated(offset: UInt64)
    /// A length prefix larger than allowed.
    case stringTooLong(offset: UInt64, length: UInt64, limit: Int)
    /// Padding bytes that are not zero.
    case nonZeroPadding(offset: UInt64)
    /// A token other than the ones the grammar allows here.
    case unexpectedToken(offset: UInt64, expected: [[UInt8]], found: [UInt8])

    /// The offset the error is about.
    public var offset: UInt64 {
        switch self {
        case .truncated(let offset), .stringTooLong(let offset, _, _), .nonZeroPadding(let offset),
            .unexpectedToken(let offset, _, _):
            offset
        }
    }

    /// One line naming the offset and the problem.
    public var description: String {
        switch self {
        case .truncated(let offset): "input ends early at byte \(offset)"
        case .stringTooLong(let offset, let length, let limit):
            "string of \(length) bytes at byte \(offset) exceeds the limit of \(limit)"
        case .nonZeroPadding(let offset): "non-zero padding at byte \(offset)"
        case .unexpectedToken(let offset, let expected, let found):
            "expected \(expected.map { "'\(NARName.display($0))'" }.joined(separator: " or ")) at byte \(offset), "
                + "found '\(NARName.display(found))'"
        }
    }
}
