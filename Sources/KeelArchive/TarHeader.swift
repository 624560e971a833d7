/// One 512-byte tar header block, decoded: ustar, GNU and old v7 layouts.
struct TarHeader {
    /// The size of a header and of the blocks content is padded to.
    static let blockSize = 512

    /// The name field (with the ustar prefix joined in front where there is one).
    let name: [UInt8]
    /// The link name field.
    let linkName: [UInt8]
    /// The type flag byte (`0` for a regular file, `5` a directory, `x` a pax header…).
    let typeFlag: UInt8
    /// The mode field.
    let mode: UInt64
    /// The size field.
    let size: UInt64
    /// The modification time field.
    let modificationTime: Int64
    /// The uid and gid fields.
    let userID: UInt64
    let groupID: UInt64

    /// Decodes `block` (512 bytes), checking its checksum.
    ///
    /// - Throws: `ArchiveError` naming the member for a bad checksum or a malformed number.
    init(_ block: UnsafeRawBufferPointer, offset: UInt64) throws(ArchiveError) {
        let isPOSIX = block[257..<263].elementsEqual("ustar\0".utf8)
        var name = Self.string(block, 0, 100)
        if isPOSIX {
            let prefix = Self.string(block, 345, 155)
            if !prefix.isEmpty { name = prefix + [UInt8(ascii: "/")] + name }
        }
        self.name = name
        guard Self.checksumMatches(block) else {
            throw ArchiveError.member(name, "bad header checksum (at offset \(offset)): corrupt or not a tar archive")
        }
        linkName = Self.string(block, 157, 100)
        typeFlag = block[156]
        func number(_ start: Int, _ length: Int, _ field: String) throws(ArchiveError) -> Int64 {
            guard let value = Self.number(block, start, length) else {
                throw ArchiveError.member(name, "malformed \(field) field in its header (at offset \(offset))")
            }
            return value
        }
        mode = UInt64(max(0, try number(100, 8, "mode")))
        let size = try number(124, 12, "size")
        guard size >= 0 else { throw ArchiveError.member(name, "negative size in its header (at offset \(offset))") }
        self.size = UInt64(size)
        modificationTime = try number(136, 12, "mtime")
        userID = UInt64(max(0, try number(108, 8, "uid")))
        groupID = UInt64(max(0, try number(116, 8, "gid")))
    }

    /// Whether `block` holds only zero bytes (the end-of-archive marker).
    static func isZero(_ block: UnsafeRawBufferPointer) -> Bool {
        block.allSatisfy { $0 == 0 }
    }

    /// Whether the checksum field matches the sum of the block's bytes (the field itself
    /// counted as spaces), summed as unsigned or, as some old writers did, signed bytes.
    static func checksumMatches(_ block: UnsafeRawBufferPointer) -> Bool {
        guard block.count == blockSize, let stored = number(block, 148, 8) else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        return stored == unsigned || stored == signed
    }

    /// A NUL-terminated text field's bytes.
    private static func string(_ block: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [UInt8] {
        let field = block[start..<start + length]
        return Array(field.prefix { $0 != 0 })
    }

    /// A numeric field: octal digits (leading spaces, then NUL or space terminated; empty is 0),
    /// or base-256 (the first byte's high bit set; 0xff starts a negative number). Nil when
    /// malformed or beyond 63 bits.
    static func number(_ block: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> Int64? {
        let field = block[start..<start + length]
        guard let first = field.first else { return 0 }
        if first == 0xff {
            let significant = field.drop { $0 == 0xff }
            guard significant.count < 8 || (significant.count == 8 && significant.first.map { $0 & 0x80 != 0 } == true)
            else {
                return nil
            }
            return significant.reduce(Int64(-1)) { $0 << 8 | Int64($1) }
        }
        if first & 0x80 != 0 {
            var value = UInt64(first & 0x7f)
            for byte in field.dropFirst() {
                guard value >> 55 == 0 else { return nil }
                value = value << 8 | UInt64(byte)
            }
            return Int64(value)
        }
        var digits = field.drop { $0 == 0x20 }
        var value: Int64 = 0
        while let byte = digits.first, (0x30...0x37).contains(byte) {
            guard value >> 60 == 0 else { return nil }
            value = value * 8 + Int64(byte - 0x30)
            digits = digits.dropFirst()
        }
        guard digits.allSatisfy({ $0 == 0 || $0 == 0x20 }) else { return nil }
        return value
    }
}
