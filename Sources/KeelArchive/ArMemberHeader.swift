/// One 60-byte ar member header, decoded and checked: name (16 bytes), mtime (12), uid (6),
/// gid (6), mode (8, octal), size (10, decimal), then "`\n". Numbers are left-aligned and
/// space-padded; all but the size may be blank (GNU's symbol and name tables leave them so).
struct ArMemberHeader {
    /// The name field without its trailing spaces (a GNU `/` terminator is still there).
    let rawName: [UInt8]
    /// The content's length.
    let size: UInt64
    /// The mode field.
    let mode: UInt32

    /// Decodes `bytes`, the header read at `offset` (fewer than 60 bytes where the file ended).
    ///
    /// - Throws: `ArchiveError` naming the offset for a truncated header, a missing end
    ///   marker or a malformed number.
    init(_ bytes: [UInt8], offset: UInt64) throws(ArchiveError) {
        guard bytes.count == 60 else {
            throw ArchiveError("ar: the member header at offset \(offset) is truncated (\(bytes.count) of 60 bytes)")
        }
        guard bytes[58] == UInt8(ascii: "`"), bytes[59] == UInt8(ascii: "\n") else {
            throw ArchiveError(
                "ar: malformed member header at offset \(offset): it does not end with \"`\\n\" (corrupt or not ar)")
        }
        var name = bytes[0..<16]
        while name.last == UInt8(ascii: " ") { name = name.dropLast() }
        rawName = Array(name)
        /// The number in `range`; `required` refuses a blank field.
        func number(_ range: Range<Int>, _ field: String, radix: UInt64, required: Bool = false)
            throws(ArchiveError) -> UInt64
        {
            let blank = bytes[range.lowerBound] == UInt8(ascii: " ")
            guard let value = Self.number(bytes[range], radix: radix), !(required && blank) else {
                throw ArchiveError(
                    "ar: malformed \(field) field in the member header at offset \(offset):"
                        + " \(ArchiveError.quoted(Array(bytes[range])))")
            }
            return value
        }
        _ = try number(16..<28, "mtime", radix: 10)
        _ = try number(28..<34, "uid", radix: 10)
        _ = try number(34..<40, "gid", radix: 10)
        mode = UInt32(try number(40..<48, "mode", radix: 8))
        size = try number(48..<58, "size", radix: 10, required: true)
    }

    /// A left-aligned number in `field`: digits of `radix` then spaces; 0 for a blank field; nil
    /// for anything else.
    private static func number(_ field: ArraySlice<UInt8>, radix: UInt64) -> UInt64? {
        var value: UInt64 = 0
        var index = field.startIndex
        while index < field.endIndex, field[index] >= 0x30, UInt64(field[index] - 0x30) < radix {
            value = value * radix + UInt64(field[index] - 0x30)
            index += 1
        }
        return field[index...].allSatisfy { $0 == UInt8(ascii: " ") } ? value : nil
    }
}
