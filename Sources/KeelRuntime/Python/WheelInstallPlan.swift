/// What installing one wheel will write, worked out and checked before anything is written:
/// the wheel's RECORD, WHEEL and entry points read (the latter two checked against RECORD),
/// every member listed in RECORD and every listed file present, each member's destination in
/// the prefix, the launcher scripts, and no two of them at one path.
struct WheelInstallPlan {
    /// One member and where it goes.
    struct Item {
        /// The member.
        let member: WheelArchive.Member
        /// Where it goes.
        let destination: WheelLayout.Destination
    }

    /// The prefix's layout.
    let layout: WheelLayout
    /// The members to install, in archive order (the wheel's RECORD and INSTALLER, which are
    /// written anew, left out).
    let members: [Item]
    /// The launcher scripts, sorted by name.
    let scripts: [EntryPointScript]
    /// Whether WHEEL says the top level is purelib content (it lands in site-packages either way).
    let rootIsPurelib: Bool
    /// `.dist-info/INSTALLER` below the prefix.
    let installerPath: [String]
    /// `.dist-info/RECORD` below the prefix.
    let recordPath: [String]
    private let record: WheelRecord
    private let what: String

    /// The files in `.dist-info` that RECORD need not list (itself and its signatures).
    private static let unlistedNames: Set<String> = ["RECORD", "RECORD.jws", "RECORD.p7s"]
    /// The largest RECORD, WHEEL or entry_points.txt read.
    private static var metadataLimit: Int { 64 << 20 }

    /// Plans the install of `archive` for Python `pythonVersion`, reading its metadata
    /// through `buffer`.
    ///
    /// - Throws: `RuntimeError` naming the wheel and the member or line at fault.
    init(archive: WheelArchive, pythonVersion: String, buffer: UnsafeMutableRawBufferPointer) throws(RuntimeError) {
        what = archive.what
        let info = archive.distInfo
        func required(_ name: String) throws(RuntimeError) -> WheelArchive.Member {
            guard let member = archive.member(named: "\(info)/\(name)") else {
                throw RuntimeError("\(archive.what): it has no \(info)/\(name)")
            }
            return member
        }
        let recordMember = try required("RECORD")
        _ = try required("METADATA")
        record = try WheelRecord(
            parsing: try Self.text(
                archive.contents(of: recordMember, limit: Self.metadataLimit, buffer: buffer),
                name: "\(info)/RECORD", what: archive.what),
            wheel: archive.fileName.fileName)
        let unlisted = Set(Self.unlistedNames.map { "\(info)/\($0)" })
        for member in archive.members where !unlisted.contains(member.path.text) {
            guard let entry = record.entries[member.path.text] else {
                throw RuntimeError("\(archive.what): member '\(member.path.text)' is not listed in its RECORD")
            }
            guard entry.digest != nil else {
                throw RuntimeError("\(archive.what): its RECORD gives no hash for '\(member.path.text)'")
            }
        }
        for path in record.entries.keys.sorted() where !unlisted.contains(path) && archive.member(named: path) == nil {
            throw RuntimeError("\(archive.what): its RECORD lists '\(path)', which the wheel does not hold")
        }
        let wheelText = try Self.checkedText(of: try required("WHEEL"), in: archive, record: record, buffer: buffer)
        rootIsPurelib = try WheelInfo(parsing: wheelText, wheel: archive.fileName.fileName).rootIsPurelib
        if let entryPoints = archive.member(named: "\(info)/entry_points.txt") {
            let text = try Self.checkedText(of: entryPoints, in: archive, record: record, buffer: buffer)
            scripts = try WheelEntryPoints.scripts(
                in: text, pythonVersion: pythonVersion, wheel: archive.fileName.fileName)
        } else {
            scripts = []
        }
        let layout = WheelLayout(pythonVersion: pythonVersion, distribution: archive.fileName.distribution)
        self.layout = layout
        installerPath = layout.sitePackages + [info, "INSTALLER"]
        recordPath = layout.sitePackages + [info, "RECORD"]
        var claimed: [[String]: String] = [installerPath: "its INSTALLER", recordPath: "its RECORD"]
        func claim(_ path: [String], by claimant: String) throws(RuntimeError) {
            if let earlier = claimed[path] {
                throw RuntimeError(
                    "\(archive.what): \(claimant) and \(earlier) would both install '\(path.joined(separator: "/"))'")
            }
            claimed[path] = claimant
        }
        var members: [Item] = []
        for member in archive.members {
            if member.path.text == "\(info)/RECORD" || member.path.text == "\(info)/INSTALLER" { continue }
            let claimant = "member '\(member.path.text)'"
            let destination = try layout.destination(of: member.path.components, what: "\(archive.what): \(claimant)")
            try claim(destination.components, by: claimant)
            members.append(Item(member: member, destination: destination))
        }
        for script in scripts {
            try claim(layout.scripts + [script.name], by: "entry point '\(script.name)'")
        }
        self.members = members
    }

    /// A check of `member`'s content against RECORD.
    func check(of member: WheelArchive.Member) -> RecordCheck {
        RecordCheck(expected: record.entries[member.path.text], member: member.path.text, what: what)
    }

    /// The installed RECORD row of `member` installed unchanged at `recordPath`: its hash and
    /// size fields as the wheel's RECORD wrote them (empty for an unlisted signature).
    func recordRow(of member: WheelArchive.Member, at recordPath: String) -> [String] {
        let entry = record.entries[member.path.text]
        return [recordPath, entry?.hashField ?? "", entry?.sizeField ?? ""]
    }

    /// The content of `member`, checked against RECORD, as UTF-8 text.
    private static func checkedText(
        of member: WheelArchive.Member, in archive: WheelArchive, record: WheelRecord,
        buffer: UnsafeMutableRawBufferPointer
    ) throws(RuntimeError) -> String {
        let bytes = try archive.contents(of: member, limit: metadataLimit, buffer: buffer)
        var check = RecordCheck(
            expected: record.entries[member.path.text], member: member.path.text, what: archive.what)
        bytes.withUnsafeBytes { check.update($0) }
        try check.finish()
        return try text(bytes, name: member.path.text, what: archive.what)
    }

    private static func text(_ bytes: [UInt8], name: String, what: String) throws(RuntimeError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RuntimeError("\(what): \(name) is not UTF-8 text")
        }
        return text
    }
}
