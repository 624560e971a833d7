/// One 512-byte ustar header block being written: fields filled in, then the checksum.
struct TarHeaderBlock {
    /// The block's bytes; the magic is set, everything else starts as zeros.
    var bytes: [UInt8]

    /// An empty ustar block ("ustar\0" magic, version "00").
    init() {
        bytes = [UInt8](repeating: 0, count: TarHeaderEncoder.blockSize)
        bytes.replaceSubrange(257..<265, with: Array("ustar\u{0}00".utf8))
    }

    /// Writes `text`, truncated to `length` bytes, at `offset` (the rest of the field stays NUL).
    mutating func text(_ text: [UInt8], at offset: Int, length: Int) {
        let kept = text.prefix(length)
        bytes.replaceSubrange(offset..<offset + kept.count, with: kept)
    }

    /// Writes `value` (non-negative, fitting) as `digits` zero-padded octal digits and a NUL.
    mutating func number(_ value: UInt64, at offset: Int, digits: Int) {
        let octal = Array(String(value, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, digits - octal.count)) + octal
        bytes.replaceSubrange(offset..<offset + digits + 1, with: padded.suffix(digits) + [0])
    }

    /// The block with its checksum: six octal digits, NUL, space (the sum of all bytes with the
    /// checksum field counted as spaces).
    func finished() -> [UInt8] {
        var block = bytes
        block.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        let sum = block.reduce(UInt64(0)) { $0 + UInt64($1) }
        var checksum = TarHeaderBlock()
        checksum.bytes = block
        checksum.number(sum, at: 148, digits: 6)
        checksum.bytes[155] = 0x20
        return checksum.bytes
    }
}
