/// Reads an ar archive, the container of a Debian .deb: the `!<arch>\n` magic, then members,
/// each a 60-byte header (name, mtime, uid, gid, octal mode, decimal size, "`\n") followed by
/// its content and a newline padding it to an even offset.
///
/// Member names are read as dpkg writes them (space-padded) and as GNU ar does (terminated by
/// `/`, longer names in a `//` table referenced as `/N`); GNU symbol tables (`/`, `/SYM64/`)
/// are skipped. BSD long names (`#1/N`) are not interpreted. Every header is checked when the
/// archive is opened, and anything malformed or truncated is refused naming its offset. Content
/// is read from the file when asked for, never held whole.
public final class ArReader {
    private static var magic: [UInt8] { Array("!<arch>\n".utf8) }
    private static var headerSize: UInt64 { 60 }
    /// The most a GNU long-name table may hold.
    private static var nameTableLimit: Int { 1 << 24 }

    /// The archive's members in order (symbol and name tables left out).
    public let members: [ArMember]
    private let file: ArchiveFile

    /// Opens the ar archive at `path` (symlinks to it are followed) and checks every member
    /// header.
    ///
    /// - Throws: `ArchiveError` when the file cannot be read, lacks the magic, or holds a
    ///   malformed or truncated header or member (the message names the offset).
    public convenience init(path: String) throws(ArchiveError) {
        try self.init(file: try ArchiveFile(path: path))
    }

    init(file: ArchiveFile) throws(ArchiveError) {
        self.file = file
        members = try Self.readMembers(of: file)
    }

    /// The first member called `name`, if there is one.
    public func member(named name: String) -> ArMember? { members.first { $0.name == name } }

    /// The content of `member`, streamed from the file.
    public func content(of member: ArMember) -> some ByteSource { contentSource(of: member) }

    /// The content of `member` as a `FileRangeSource`, for readers in this module.
    func contentSource(of member: ArMember) -> FileRangeSource {
        FileRangeSource(file: file, offset: member.contentOffset, length: member.size)
    }

    /// The whole content of a small member.
    ///
    /// - Throws: `ArchiveError` when it is larger than `limit` bytes or cannot be read whole.
    public func readContent(of member: ArMember, limit: Int) throws(ArchiveError) -> [UInt8] {
        guard member.size <= UInt64(max(0, limit)) else {
            throw ArchiveError(
                "ar: member \(ArchiveError.quoted(Array(member.name.utf8))) is \(member.size) bytes, more than the"
                    + " \(limit) expected")
        }
        let bytes = try file.read(count: Int(member.size), at: member.contentOffset)
        guard bytes.count == Int(member.size) else {
            throw ArchiveError(
                "ar: member \(ArchiveError.quoted(Array(member.name.utf8))) ends early (the file shrank while open?)")
        }
        return bytes
    }

    private static func readMembers(of file: ArchiveFile) throws(ArchiveError) -> [ArMember] {
        guard try file.read(count: magic.count, at: 0) == magic else {
            throw ArchiveError("not an ar archive: it does not start with \"!<arch>\\n\" (at offset 0)")
        }
        var members: [ArMember] = []
        var nameTable: [UInt8]?
        var offset = UInt64(magic.count)
        while offset < file.size {
            let header = try ArMemberHeader(try file.read(count: Int(headerSize), at: offset), offset: offset)
            let contentOffset = offset + headerSize
            let available = file.size - min(file.size, contentOffset)
            guard header.size <= available else {
                throw ArchiveError(
                    "ar: member \(ArchiveError.quoted(header.rawName)) (header at offset \(offset)) is truncated: it"
                        + " claims \(header.size) bytes but the file ends after \(available)")
            }
            var next = contentOffset + header.size
            if header.size % 2 == 1 {
                let padding = try file.read(count: 1, at: next)
                guard padding == [UInt8(ascii: "\n")] else {
                    throw ArchiveError(
                        "ar: member \(ArchiveError.quoted(header.rawName)) (header at offset \(offset)) is not"
                            + " followed by its newline padding byte at offset \(next)"
                            + (padding.isEmpty ? " (truncated)" : ""))
                }
                next += 1
            }
            let name: [UInt8]
            switch header.rawName {
            case Array("/".utf8), Array("/SYM64/".utf8):
                offset = next
                continue
            case Array("//".utf8):
                guard nameTable == nil else {
                    throw ArchiveError("ar: a second long-name table ('//') at offset \(offset)")
                }
                guard header.size <= UInt64(nameTableLimit) else {
                    throw ArchiveError(
                        "ar: the long-name table at offset \(offset) is larger than \(nameTableLimit) bytes")
                }
                nameTable = try file.read(count: Int(header.size), at: contentOffset)
                offset = next
                continue
            case let raw where raw.first == UInt8(ascii: "/"):
                name = try longName(raw, table: nameTable, headerOffset: offset)
            case let raw:
                name = raw.last == UInt8(ascii: "/") ? Array(raw.dropLast()) : raw
            }
            guard !name.isEmpty else {
                throw ArchiveError("ar: the member header at offset \(offset) has an empty name")
            }
            members.append(
                ArMember(
                    name: String(decoding: name, as: UTF8.self), headerOffset: offset, contentOffset: contentOffset,
                    size: header.size, mode: header.mode))
            offset = next
        }
        return members
    }

    /// The name a GNU `/N` reference points at in the long-name table: the bytes from offset N
    /// to the next `/\n` (or newline).
    private static func longName(_ reference: [UInt8], table: [UInt8]?, headerOffset: UInt64)
        throws(ArchiveError) -> [UInt8]
    {
        let digits = reference.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }),
            let index = Int(String(decoding: digits, as: UTF8.self))
        else {
            throw ArchiveError(
                "ar: the member header at offset \(headerOffset) has a malformed name \(ArchiveError.quoted(reference))"
            )
        }
        guard let table else {
            throw ArchiveError(
                "ar: the member header at offset \(headerOffset) refers to a long name, but no '//' table precedes it")
        }
        guard index < table.count else {
            throw ArchiveError(
                "ar: the member header at offset \(headerOffset) refers to long name \(index), past the table's end")
        }
        var name = table[index...].prefix { $0 != UInt8(ascii: "\n") }
        if name.last == UInt8(ascii: "/") { name = name.dropLast() }
        return Array(name)
    }
}
