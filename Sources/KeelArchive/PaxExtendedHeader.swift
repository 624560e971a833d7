/// The records of a pax extended header (`typeflag x`): `LENGTH KEY=VALUE\n`, LENGTH counting
/// the whole record. Only what Keel uses is kept: path, linkpath and size (plus mtime, uid and
/// gid); a GNU sparse file is refused.
struct PaxExtendedHeader {
    /// The `path` record: the member's full name.
    var path: [UInt8]?
    /// The `linkpath` record: the link's full target.
    var linkPath: [UInt8]?
    /// The `size` record: the content length, beyond what the ustar field holds.
    var size: UInt64?
    /// The `mtime` record's whole seconds.
    var modificationTime: Int64?
    /// The `uid` and `gid` records.
    var userID: UInt64?
    var groupID: UInt64?

    /// Decodes `records`, the content of an extended header of the member named `name` in its
    /// ustar header (for messages).
    ///
    /// - Throws: `ArchiveError` for a malformed record, an invalid number, or sparse files.
    init(_ records: [UInt8], member name: [UInt8]) throws(ArchiveError) {
        var rest = records[...]
        while !rest.isEmpty {
            if rest.allSatisfy({ $0 == 0 }) { break }  // some writers pad with NULs
            guard let space = rest.firstIndex(of: 0x20), let length = Self.decimal(rest[rest.startIndex..<space]),
                length > space - rest.startIndex + 1, length <= UInt64(rest.count),
                rest[rest.startIndex + Int(length) - 1] == 0x0a
            else {
                throw ArchiveError.member(name, "malformed pax extended header record")
            }
            let record = rest[(space + 1)..<(rest.startIndex + Int(length) - 1)]
            rest = rest[(rest.startIndex + Int(length))...]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw ArchiveError.member(name, "malformed pax extended header record (no '=')")
            }
            let key = String(decoding: record[..<equals], as: UTF8.self)
            let value = Array(record[(equals + 1)...])
            try apply(key: key, value: value, member: name)
        }
    }

    private mutating func apply(key: String, value: [UInt8], member name: [UInt8]) throws(ArchiveError) {
        func number() throws(ArchiveError) -> UInt64? {
            if value.isEmpty { return nil }
            guard let number = Self.decimal(value[...]) else {
                throw ArchiveError.member(name, "invalid pax \(key) value '\(String(decoding: value, as: UTF8.self))'")
            }
            return number
        }
        switch key {
        case "path": path = value.isEmpty ? nil : value
        case "linkpath": linkPath = value.isEmpty ? nil : value
        case "size": size = try number()
        case "uid": userID = try number()
        case "gid": groupID = try number()
        case "mtime":
            // Seconds, possibly negative and with a fraction; only whole seconds are kept.
            let whole = value.prefix { $0 != UInt8(ascii: ".") }
            let negative = whole.first == UInt8(ascii: "-")
            if let seconds = Self.decimal(negative ? whole.dropFirst() : whole), seconds < 1 << 62 {
                modificationTime = negative ? -Int64(seconds) : Int64(seconds)
            }
        default:
            if key.hasPrefix("GNU.sparse.") {
                throw ArchiveError.member(name, "GNU sparse files are not supported")
            }
        }
    }

    /// A non-empty run of decimal digits that fits in 64 bits.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return value
    }
}
