/// The byte forms of a ledger entry (docs/ledger-format.md):
///
/// - the **body**, which is hashed: `u64 sequence ‖ i64 time ‖ str actor ‖ str kind ‖
///   str subject ‖ str details ‖ 32-byte previous hash`, integers big-endian, each `str` a
///   big-endian `u32` byte count then UTF-8;
/// - the **record**, as stored in the entries file: `u32 body length ‖ body ‖ 32-byte hash`.
public enum EntryEncoding {
    /// The smallest possible body: two integers, four empty strings and a hash.
    public static let minimumBodyLength = 8 + 8 + 4 * 4 + 32
    /// The largest body keel writes or accepts (1 MiB), so a damaged length cannot make a
    /// reader allocate gigabytes.
    public static let maximumBodyLength = 1 << 20
    /// The bytes a record adds around its body.
    public static let recordOverhead = 4 + 32

    /// The canonical body of `entry`.
    public static func body(of entry: LedgerEntry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(
            minimumBodyLength + entry.actor.utf8.count + entry.kind.utf8.count + entry.subject.utf8.count
                + entry.details.utf8.count)
        append(entry.sequence, to: &bytes)
        append(UInt64(bitPattern: entry.time), to: &bytes)
        for text in [entry.actor, entry.kind, entry.subject, entry.details] {
            append(UInt32(text.utf8.count), to: &bytes)
            bytes.append(contentsOf: text.utf8)
        }
        bytes.append(contentsOf: entry.previousHash.bytes)
        return bytes
    }

    /// The stored record of `entry`: its body framed by its length and followed by its hash.
    public static func record(of entry: LedgerEntry) -> (record: [UInt8], hash: LedgerHash) {
        let body = body(of: entry)
        let hash = MerkleHash.leaf(body)
        var record: [UInt8] = []
        record.reserveCapacity(body.count + recordOverhead)
        append(UInt32(body.count), to: &record)
        record.append(contentsOf: body)
        record.append(contentsOf: hash.bytes)
        return (record, hash)
    }

    /// Decodes a body.
    ///
    /// - Throws: `EntryDecodingError` naming the first field that does not fit.
    public static func decode(body: UnsafeRawBufferPointer) throws(EntryDecodingError) -> LedgerEntry {
        var offset = 0
        func integer() throws(EntryDecodingError) -> UInt64 {
            guard body.count - offset >= 8 else { throw .truncated(field: "integer") }
            var value: UInt64 = 0
            for index in 0..<8 { value = value << 8 | UInt64(body[offset + index]) }
            offset += 8
            return value
        }
        func text(_ field: String) throws(EntryDecodingError) -> String {
            guard body.count - offset >= 4 else { throw .truncated(field: field) }
            var length = 0
            for index in 0..<4 { length = length << 8 | Int(body[offset + index]) }
            offset += 4
            guard body.count - offset >= length else { throw .truncated(field: field) }
            let bytes = UnsafeRawBufferPointer(rebasing: body[offset..<(offset + length)])
            offset += length
            guard let value = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field) }
            return value
        }
        let sequence = try integer()
        let time = Int64(bitPattern: try integer())
        let actor = try text("actor")
        let kind = try text("kind")
        let subject = try text("subject")
        let details = try text("details")
        guard body.count - offset == 32 else {
            throw body.count - offset < 32 ? .truncated(field: "previous hash") : .trailingBytes
        }
        let previous = LedgerHash(loading: UnsafeRawBufferPointer(rebasing: body[offset...]))
        return LedgerEntry(
            sequence: sequence, time: time, actor: actor, kind: kind, subject: subject, details: details,
            previousHash: previous)
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }
}

/// Why an entry body could not be decoded.
public enum EntryDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The body ends inside a field.
    case truncated(field: String)
    /// A text field is not UTF-8.
    case invalidUTF8(field: String)
    /// Bytes follow the previous hash.
    case trailingBytes

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .truncated(let field): "the body ends inside the \(field)"
        case .invalidUTF8(let field): "the \(field) is not UTF-8"
        case .trailingBytes: "bytes follow the previous hash"
        }
    }
}
