/// Reads little-endian numbers and byte runs from a byte array in order (zip's records);
/// nil where the bytes run out.
struct LittleEndianCursor {
    private let bytes: [UInt8]
    /// The index of the next byte to read.
    private(set) var offset: Int

    init(_ bytes: [UInt8], at offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Whether every byte was read.
    var isAtEnd: Bool { offset >= bytes.count }

    /// The next `count` bytes.
    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// The next 2-byte number.
    mutating func uint16() -> UInt16? { number(2).map { UInt16($0) } }

    /// The next 4-byte number.
    mutating func uint32() -> UInt32? { number(4).map { UInt32($0) } }

    /// The next 8-byte number.
    mutating func uint64() -> UInt64? { number(8) }

    private mutating func number(_ width: Int) -> UInt64? {
        guard width <= bytes.count - offset else { return nil }
        var value: UInt64 = 0
        for index in (offset..<offset + width).reversed() { value = value << 8 | UInt64(bytes[index]) }
        offset += width
        return value
    }
}
