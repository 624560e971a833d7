import KeelLinux

/// A Debian binary package (.deb) opened for reading: an ar archive of `debian-binary` (format
/// 2.x), then `control.tar[.gz|.xz|.zst]`, then `data.tar[.gz|.xz|.zst]` (members whose names
/// start with `_` are ignored, as dpkg does).
///
/// `extractData(into:)` unpacks the data archive, streaming it from the file through its
/// decompressor (never whole in memory), with `TreeWriter`'s rules:
/// - names are made relative (`./` dropped); absolute names and `..` components are refused;
///   nothing is written through a symlink the package made, or outside the target;
/// - regular files are 0755 when the package gave them any execute bit, else 0644: ownership,
///   times, setuid, setgid and sticky bits are dropped, as a store would; directories are 0755;
/// - symlinks are kept as they are, absolute targets included (they are interpreted later, in
///   the FHS view, never while unpacking);
/// - hard links become copies of the file they name (the store has no hard links);
/// - device nodes and fifos are refused (Debian policy forbids them in packages, and the store
///   cannot hold them), as are duplicate names.
public final class DebArchive {
    private static var controlLimit: Int { 4 << 20 }
    private static var bufferSize: Int { 256 * 1024 }

    /// The package's path, as given.
    public let path: String
    /// The format version in `debian-binary` (`2.0`).
    public let formatVersion: String
    /// The control archive's member name (`control.tar.xz`…).
    public let controlMemberName: String
    /// The data archive's member name (`data.tar.xz`, `data.tar.zst`…).
    public let dataMemberName: String

    private let reader: ArReader
    private let control: ArMember
    private let data: ArMember
    private let controlCompression: DebMemberCompression
    private let dataCompression: DebMemberCompression

    /// Opens the .deb at `path` (symlinks to it are followed) and checks its layout.
    ///
    /// - Throws: `ArchiveError` naming the file for a malformed ar archive, a missing or unknown
    ///   `debian-binary`, a missing or duplicate `control.tar.*` or `data.tar.*`, an
    ///   unsupported compression, or any other member.
    public init(path: String) throws(ArchiveError) {
        self.path = path
        do {
            reader = try ArReader(path: path)
            formatVersion = try Self.formatVersion(of: reader)
            (control, data) = try Self.tarMembers(of: reader)
            controlCompression = try DebMemberCompression(memberName: control.name, stem: "control.tar")
            dataCompression = try DebMemberCompression(memberName: data.name, stem: "data.tar")
        } catch {
            throw ArchiveError("\(path): \(error)")
        }
        controlMemberName = control.name
        dataMemberName = data.name
    }

    /// The bytes of the `control` file in the control archive (the package's fields, as
    /// `dpkg-deb -I PACKAGE control` prints them).
    ///
    /// - Throws: `ArchiveError` naming the package and member when the control archive is
    ///   corrupt, lacks a `control` file, or holds one larger than 4 MiB.
    public func controlFile() throws(ArchiveError) -> [UInt8] {
        do {
            let tar = TarReader(source: try controlCompression.decompressing(reader.contentSource(of: control)))
            while let entry = try tar.next() {
                guard let name = try? ArchivePath(validating: entry.path), name.components == [Array("control".utf8)]
                else { continue }
                guard entry.kind == .regularFile else { throw ArchiveError("its 'control' is not a regular file") }
                guard entry.size <= UInt64(Self.controlLimit) else {
                    throw ArchiveError("its 'control' file is larger than \(Self.controlLimit) bytes")
                }
                var bytes = [UInt8](repeating: 0, count: Int(entry.size))
                var filled = 0
                while filled < bytes.count {
                    let count = try bytes.withUnsafeMutableBytes { all throws(ArchiveError) in
                        try tar.readContent(into: UnsafeMutableRawBufferPointer(rebasing: all[filled...]))
                    }
                    filled += count
                }
                return bytes
            }
            throw ArchiveError("it holds no 'control' file")
        } catch {
            throw ArchiveError("\(path): \(controlMemberName): \(error)")
        }
    }

    /// The `control` file as text.
    ///
    /// - Throws: `ArchiveError` as `controlFile()` does, and when it is not UTF-8.
    public func controlText() throws(ArchiveError) -> String {
        let bytes = try controlFile()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ArchiveError("\(path): \(controlMemberName): its 'control' file is not UTF-8")
        }
        return text
    }

    /// Unpacks the data archive into `directory`, which must exist and be empty.
    ///
    /// On failure what was written so far stays in `directory` (never anything outside it):
    /// the caller unpacks into a temporary directory and removes it.
    ///
    /// - Throws: `ArchiveError` naming the package, the data member and, where there is one,
    ///   the tar member at fault (unsafe names, devices, fifos, duplicates, corrupt or truncated
    ///   data), or the directory when it is missing or not empty.
    /// - Parameter skipping: says, for each member's path components (`usr`, `share`, …),
    ///   whether it is left out; a hard link to a member left out is left out too.
    public func extractData(into directory: String, skipping: (([[UInt8]]) -> Bool)? = nil) throws(ArchiveError) {
        try Self.requireEmptyDirectory(directory)
        do {
            let writer = try TreeWriter(directory: directory)
            defer { writer.close() }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 64)
            defer { buffer.deallocate() }
            let tar = TarReader(source: try dataCompression.decompressing(reader.contentSource(of: data)))
            try TarExtraction.extract(tar, into: writer, buffer: buffer, skipping: skipping)
        } catch {
            throw ArchiveError("\(path): \(dataMemberName): \(error)")
        }
    }

    /// The version in `debian-binary`, the first member: a first line `2.N`.
    private static func formatVersion(of reader: ArReader) throws(ArchiveError) -> String {
        guard let first = reader.members.first else {
            throw ArchiveError("not a Debian package: the ar archive is empty")
        }
        guard first.name == "debian-binary" else {
            throw ArchiveError(
                "not a Debian package: its first member is \(ArchiveError.quoted(Array(first.name.utf8))),"
                    + " not 'debian-binary'")
        }
        let content = try reader.readContent(of: first, limit: 1024)
        let line = content.prefix { $0 != UInt8(ascii: "\n") }
        let minor = line.dropFirst(2)
        guard line.starts(with: Array("2.".utf8)), !minor.isEmpty, minor.allSatisfy({ (0x30...0x39).contains($0) })
        else {
            throw ArchiveError(
                "unsupported Debian package format \(ArchiveError.quoted(Array(line))) in 'debian-binary' (expected 2.x)"
            )
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// The `control.tar*` and `data.tar*` members, in that order, each once.
    private static func tarMembers(of reader: ArReader) throws(ArchiveError) -> (ArMember, ArMember) {
        var control: ArMember?
        var data: ArMember?
        for member in reader.members.dropFirst() {
            let quoted = ArchiveError.quoted(Array(member.name.utf8))
            if member.name.hasPrefix("control.tar") {
                guard control == nil else { throw ArchiveError("a second control archive \(quoted)") }
                guard data == nil else { throw ArchiveError("the control archive \(quoted) follows the data archive") }
                control = member
            } else if member.name.hasPrefix("data.tar") {
                guard data == nil else { throw ArchiveError("a second data archive \(quoted)") }
                data = member
            } else if !member.name.hasPrefix("_") {
                throw ArchiveError("unexpected member \(quoted) (header at offset \(member.headerOffset))")
            }
        }
        guard let control else { throw ArchiveError("not a Debian package: no control.tar member") }
        guard let data else { throw ArchiveError("not a Debian package: no data.tar member") }
        return (control, data)
    }

    private static func requireEmptyDirectory(_ directory: String) throws(ArchiveError) {
        let entries: [DirectoryEntry]
        do throws(SystemError) {
            let descriptor = try FileSystem.openDirectory(Array(directory.utf8))
            defer { FileSystem.close(descriptor) }
            entries = try DirectoryListing.read(descriptor)
        } catch {
            throw ArchiveError("cannot unpack into \(directory): \(error)")
        }
        guard entries.isEmpty else { throw ArchiveError("cannot unpack into \(directory): the directory is not empty") }
    }
}
