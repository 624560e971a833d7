/// The header blocks of tar members, byte for byte as Python 3's
/// `tarfile.open(mode="w", format=tarfile.PAX_FORMAT)` writes them.
///
/// Each member gets a ustar header; a pax extended header member (`././@PaxHeader`, typeflag
/// `x`) comes first when a value does not fit it: a name or link target longer than 100 bytes
/// or not ASCII (the ustar field then holds the name truncated to 100 bytes, each non-ASCII
/// character as "?"), a user or group name longer than 32 bytes or not ASCII, a uid or gid of
/// 8^7 or more, a size of 8 GiB (8^11 bytes) or more, or a modification time that is negative
/// or 8^11 or more (the ustar field then holds 0). Directory names get a trailing "/"; the
/// device fields are left empty, as Python 3.11 leaves them for members that are not devices.
public enum TarHeaderEncoder {
    /// The size of a header block and of the units content is padded to.
    static let blockSize = 512
    /// The unit a finished archive is padded to (Python tarfile's RECORDSIZE).
    static let recordSize = 10240

    private static let nameLength = 100
    private static let ownerNameLength = 32
    private static let pathKey = "path"

    /// The header blocks for `member` (a multiple of 512 bytes): a pax extended header member
    /// first when one is needed, then the ustar header.
    ///
    /// - Throws: `ArchiveError` naming the member for an empty, absolute or "/"-terminated path,
    ///   a path or link target that holds NUL or is not valid UTF-8, an empty link target, or a
    ///   user or group name holding NUL.
    public static func encode(_ member: TarMember, formatting: TarFormatting) throws(ArchiveError) -> [UInt8] {
        try validate(member)
        for (label, name) in [("user", formatting.userName), ("group", formatting.groupName)]
        where name.utf8.contains(0) {
            throw ArchiveError.member(member.path, "the \(label) name '\(name)' holds a NUL byte")
        }
        var name = member.path
        var typeFlag = UInt8(ascii: "0")
        var linkName: [UInt8] = []
        var size: UInt64 = 0
        switch member.kind {
        case .directory:
            name.append(UInt8(ascii: "/"))
            typeFlag = UInt8(ascii: "5")
        case .regularFile(let fileSize):
            size = fileSize
        case .symlink(let target):
            typeFlag = UInt8(ascii: "2")
            linkName = target
        }

        var records = PaxRecords()
        if needsRecord(name, limit: nameLength) { records.append(pathKey, name) }
        if needsRecord(linkName, limit: nameLength) { records.append("linkpath", linkName) }
        let userName = Array(formatting.userName.utf8)
        let groupName = Array(formatting.groupName.utf8)
        if needsRecord(userName, limit: ownerNameLength) { records.append("uname", userName) }
        if needsRecord(groupName, limit: ownerNameLength) { records.append("gname", groupName) }
        let userID = fitting(formatting.userID, digits: 7, key: "uid", into: &records)
        let groupID = fitting(formatting.groupID, digits: 7, key: "gid", into: &records)
        let sizeField = fitting(size, digits: 11, key: "size", into: &records)
        let modificationTime = fitting(formatting.modificationTime, digits: 11, key: "mtime", into: &records)

        var blocks: [UInt8] = []
        if !records.isEmpty {
            var pax = TarHeaderBlock()
            pax.text(Array("././@PaxHeader".utf8), at: 0, length: nameLength)
            pax.number(0, at: 100, digits: 7)
            pax.number(0, at: 108, digits: 7)
            pax.number(0, at: 116, digits: 7)
            pax.number(UInt64(records.bytes.count), at: 124, digits: 11)
            pax.number(0, at: 136, digits: 11)
            pax.bytes[156] = UInt8(ascii: "x")
            blocks += pax.finished()
            blocks += records.bytes
            blocks += [UInt8](repeating: 0, count: paddingLength(forContentSize: UInt64(records.bytes.count)))
        }
        var header = TarHeaderBlock()
        header.text(asciiReplacing(name), at: 0, length: nameLength)
        header.number(UInt64(member.mode & 0o7777), at: 100, digits: 7)
        header.number(userID, at: 108, digits: 7)
        header.number(groupID, at: 116, digits: 7)
        header.number(sizeField, at: 124, digits: 11)
        header.number(modificationTime, at: 136, digits: 11)
        header.bytes[156] = typeFlag
        header.text(asciiReplacing(linkName), at: 157, length: nameLength)
        header.text(asciiReplacing(userName), at: 265, length: ownerNameLength)
        header.text(asciiReplacing(groupName), at: 297, length: ownerNameLength)
        blocks += header.finished()
        return blocks
    }

    /// Zero bytes after `size` bytes of contents up to the next 512-byte boundary.
    public static func paddingLength(forContentSize size: UInt64) -> Int {
        Int((UInt64(blockSize) - size % UInt64(blockSize)) % UInt64(blockSize))
    }

    /// The end of an archive written `written` bytes so far: two zero blocks, then zeros up to
    /// a multiple of 10240 bytes (Python tarfile's RECORDSIZE).
    public static func trailerLength(afterWriting written: UInt64) -> Int {
        let end = written + UInt64(2 * blockSize)
        let record = UInt64(recordSize)
        return 2 * blockSize + Int((record - end % record) % record)
    }

    /// Refuses a member whose path or link target a tar archive cannot hold as Keel means it.
    private static func validate(_ member: TarMember) throws(ArchiveError) {
        let path = member.path
        guard !path.isEmpty else { throw ArchiveError("a tar member has an empty path") }
        guard !path.contains(0) else { throw ArchiveError.member(path, "the path holds a NUL byte") }
        guard String(validating: path, as: UTF8.self) != nil else {
            throw ArchiveError.member(path, "the path is not valid UTF-8")
        }
        guard path.first != UInt8(ascii: "/") else {
            throw ArchiveError.member(path, "the path is absolute (members are relative paths)")
        }
        guard path.last != UInt8(ascii: "/") else {
            throw ArchiveError.member(path, "the path ends with '/' (the writer adds it to directories)")
        }
        if case .symlink(let target) = member.kind {
            guard !target.isEmpty else { throw ArchiveError.member(path, "the symlink target is empty") }
            guard !target.contains(0) else { throw ArchiveError.member(path, "the symlink target holds a NUL byte") }
            guard String(validating: target, as: UTF8.self) != nil else {
                throw ArchiveError.member(path, "the symlink target is not valid UTF-8")
            }
        }
    }

    /// Whether a text field of `limit` bytes cannot hold `value` (too long, or not ASCII).
    private static func needsRecord(_ value: [UInt8], limit: Int) -> Bool {
        value.count > limit || value.contains { $0 >= 0x80 }
    }

    /// `value` for a numeric field of `digits` octal digits, or 0 with a pax record `key` added
    /// when it does not fit.
    private static func fitting(
        _ value: some BinaryInteger, digits: Int, key: String, into records: inout PaxRecords
    ) -> UInt64 {
        if value >= 0, value < UInt64(1) << (3 * digits) { return UInt64(value) }
        records.append(key, Array(String(value).utf8))
        return 0
    }

    /// UTF-8 `text` as Python encodes it with `("ascii", "replace")`: each non-ASCII character
    /// becomes one "?".
    private static func asciiReplacing(_ text: [UInt8]) -> [UInt8] {
        guard text.contains(where: { $0 >= 0x80 }) else { return text }
        return String(decoding: text, as: UTF8.self).unicodeScalars.map { $0.isASCII ? UInt8($0.value) : 0x3f }
    }
}
