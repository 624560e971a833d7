import KeelArchive

/// A wheel file opened for installing: its name parsed, its file members' names validated, its
/// one `.dist-info` directory found, and members read (whole, or streamed) with their length
/// and CRC-32 checked by the zip reader.
final class WheelArchive {
    /// One file member.
    struct Member {
        /// The zip entry.
        let entry: ZipEntry
        /// Its validated name.
        let path: WheelMemberPath

        /// Whether the archive marks it executable (a regular file with an execute bit).
        var isExecutable: Bool { entry.kind == .regularFile && entry.isExecutable }
    }

    /// The wheel's file name.
    let fileName: WheelFileName
    /// `wheel FILE`, for messages.
    let what: String
    /// The file members (directories left out), in central directory order.
    let members: [Member]
    /// The name of the `.dist-info` directory (`NAME-VERSION.dist-info`).
    let distInfo: String
    private let reader: ZipReader
    private let membersByName: [String: Int]

    /// Opens the wheel at `path`.
    ///
    /// - Throws: `RuntimeError` naming the wheel for a bad file name, an unreadable or corrupt
    ///   zip, an unsafe or repeated member name, or a missing, repeated or misnamed `.dist-info`.
    init(path: String) throws(RuntimeError) {
        let base = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
        fileName = try WheelFileName(base)
        what = "wheel \(base)"
        do { reader = try ZipReader(path: path) } catch {
            throw RuntimeError("\(what): cannot read it as a zip archive: \(error)")
        }
        var members: [Member] = []
        var membersByName: [String: Int] = [:]
        var distInfos: Set<String> = []
        for entry in reader.entries {
            let memberPath = try WheelMemberPath(entry.path, what: what)
            if let top = memberPath.components.first, top.hasSuffix(".dist-info") {
                if memberPath.components.count > 1 || entry.kind == .directory { distInfos.insert(top) }
            }
            if entry.kind == .directory || entry.path.last == UInt8(ascii: "/") { continue }
            guard membersByName[memberPath.text] == nil else {
                throw RuntimeError("\(what): member '\(memberPath.text)' appears twice")
            }
            membersByName[memberPath.text] = members.count
            members.append(Member(entry: entry, path: memberPath))
        }
        guard distInfos.count == 1, let distInfo = distInfos.first else {
            let found = distInfos.isEmpty ? "none" : distInfos.sorted().joined(separator: ", ")
            throw RuntimeError("\(what): a wheel holds exactly one top-level .dist-info directory (found \(found))")
        }
        let project = String(distInfo.prefix { $0 != "-" })
        guard WheelFileName.normalize(project) == fileName.normalizedName else {
            throw RuntimeError(
                "\(what): its .dist-info directory '\(distInfo)' is not for the project '\(fileName.distribution)'")
        }
        self.members = members
        self.membersByName = membersByName
        self.distInfo = distInfo
    }

    /// The file member named `name` (as the archive spells it).
    func member(named name: String) -> Member? { membersByName[name].map { members[$0] } }

    /// Streams the content of `member` through `buffer`, calling `body` with each chunk.
    ///
    /// - Throws: `RuntimeError` naming the wheel and member when the data is corrupt
    ///   (including a length or CRC-32 that the central directory contradicts), or what `body`
    ///   throws.
    func stream(
        _ member: Member, buffer: UnsafeMutableRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws(RuntimeError) -> Void
    ) throws(RuntimeError) {
        let content: ZipMemberReader
        do { content = try reader.contents(of: member.entry) } catch { throw RuntimeError("\(what): \(error)") }
        while true {
            let count: Int
            do { count = try content.read(into: buffer) } catch { throw RuntimeError("\(what): \(error)") }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The whole content of `member`, at most `limit` bytes.
    ///
    /// - Throws: `RuntimeError` naming the member when it is larger or corrupt.
    func contents(of member: Member, limit: Int, buffer: UnsafeMutableRawBufferPointer) throws(RuntimeError)
        -> [UInt8]
    {
        guard member.entry.size <= UInt64(limit) else {
            throw RuntimeError("\(what): member '\(member.path.text)' is larger than \(limit) bytes")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(member.entry.size))
        try stream(member, buffer: buffer) { chunk throws(RuntimeError) in
            guard bytes.count + chunk.count <= limit else {
                throw RuntimeError("\(what): member '\(member.path.text)' is larger than \(limit) bytes")
            }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }
}
