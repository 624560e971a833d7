import Foundation
import KeelArchive
import KeelTesting
import Testing

/// A malicious or broken archive, the error it must get, and nothing left behind.
struct RefusedCase: Sendable, CustomStringConvertible {
    let description: String
    let kind: String
    let members: [Member]
    /// What the error must say.
    let expected: String
    var format = "pax"

    /// Members unpacked before the bad one, so that a failure has something to clean up.
    static let before: [Member] = [.directory("good"), .file("good/file", "written before the failure\n")]
}

@Suite("Archives Keel refuses, leaving nothing behind", .ownThreads)
struct RefusedArchiveTests {
    static let memberCases: [RefusedCase] = [
        RefusedCase(
            description: "tar: absolute path", kind: "tar", members: [.file("/etc/keel-evil", "x")],
            expected: "member '/etc/keel-evil': absolute path"),
        RefusedCase(
            description: "tar: .. component", kind: "tar", members: [.file("good/../../evil", "x")],
            expected: "member 'good/../../evil': '..' component"),
        RefusedCase(
            description: "tar: write through a symlink out", kind: "tar",
            members: [.symlink("escape", to: "/tmp"), .file("escape/evil", "x")],
            expected: "member 'escape/evil': would be written through the symlink 'escape'"),
        RefusedCase(
            description: "tar: write through a symlink inside", kind: "tar",
            members: [.directory("real"), .symlink("alias", to: "real"), .file("alias/evil", "x")],
            expected: "member 'alias/evil': would be written through the symlink 'alias'"),
        RefusedCase(
            description: "tar: hard link outside", kind: "tar", members: [.hardLink("h", to: "../etc/passwd")],
            expected: "member 'h': unsafe hard link target"),
        RefusedCase(
            description: "tar: hard link to nothing", kind: "tar", members: [.hardLink("h", to: "missing")],
            expected: "member 'h': hard link to 'missing', which is not an earlier member"),
        RefusedCase(
            description: "tar: hard link to a directory", kind: "tar", members: [.hardLink("h", to: "good")],
            expected: "which is a directory"),
        RefusedCase(
            description: "tar: hard link through a symlink", kind: "tar",
            members: [.symlink("l", to: "/etc"), .hardLink("h", to: "l/passwd")],
            expected: "member 'h': hard link to 'l/passwd', which is not an earlier member"),
        RefusedCase(
            description: "tar: a file twice", kind: "tar", members: [.file("good/file", "again")],
            expected: "member 'good/file': appears twice"),
        RefusedCase(
            description: "tar: a directory where a file was", kind: "tar", members: [.directory("good/file")],
            expected: "member 'good/file': appears twice"),
        RefusedCase(
            description: "tar: a file where a directory was", kind: "tar", members: [.file("good", "x")],
            expected: "member 'good': appears twice"),
        RefusedCase(
            description: "tar: a symlink where a file was", kind: "tar", members: [.symlink("good/file", to: "x")],
            expected: "member 'good/file': appears twice"),
        RefusedCase(
            description: "tar: a file below a file", kind: "tar", members: [.file("good/file/below", "x")],
            expected: "member 'good/file/below': its parent 'good/file' is a file"),
        RefusedCase(
            description: "tar: a file named like the top", kind: "tar", members: [.file("./", "x")],
            expected: "names the top directory itself"),
        RefusedCase(
            description: "tar: character device", kind: "tar", members: [Member(name: "dev", type: "chr")],
            expected: "member 'dev': device and fifo members are not supported"),
        RefusedCase(
            description: "tar: fifo", kind: "tar", members: [Member(name: "pipe", type: "fifo")],
            expected: "member 'pipe': device and fifo members are not supported"),
        RefusedCase(
            description: "zip: absolute path", kind: "zip", members: [.file("/abs/evil", "x")],
            expected: "member '/abs/evil': absolute path"),
        RefusedCase(
            description: "zip: .. component", kind: "zip", members: [.file("../evil", "x")],
            expected: "member '../evil': '..' component"),
        RefusedCase(
            description: "zip: write through a symlink", kind: "zip",
            members: [.symlink("escape", to: ".."), .file("escape/evil", "x")],
            expected: "member 'escape/evil': would be written through the symlink 'escape'"),
        RefusedCase(
            description: "zip: a file twice", kind: "zip", members: [.file("good/file", "again")],
            expected: "member 'good/file': appears twice"),
        RefusedCase(
            description: "zip: fifo", kind: "zip", members: [Member(name: "pipe", type: "fifo")],
            expected: "member 'pipe': device, fifo and socket members are not supported"),
        RefusedCase(
            description: "zip: bzip2 member", kind: "zip", members: [.file("b", "bzip2", method: "bzip2")],
            expected: "member 'b': compression method 12 (bzip2) is not supported (only stored and deflate)"),
    ]

    /// Unpacking `archive` fails with a message holding `expected` and leaves only `keep` in
    /// the fixture's directory.
    func expectRefused(
        _ fixture: ArchiveFixture, _ archive: String, _ expected: String, keep: Set<String>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let error = #expect(throws: ArchiveError.self, sourceLocation: sourceLocation) {
            try fixture.unpack(archive, into: "out", strip: true)
        }
        #expect(
            error?.description.contains(expected) == true, "\(String(describing: error))",
            sourceLocation: sourceLocation)
        #expect(error?.description.hasPrefix(archive + ": ") == true, sourceLocation: sourceLocation)
        #expect(try fixture.strayEntries(besides: keep).isEmpty, sourceLocation: sourceLocation)
    }

    @Test("unsafe or unsupported members are refused by name", arguments: memberCases)
    func unsafeMember(_ refused: RefusedCase) throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make(
            "bad", kind: refused.kind, RefusedCase.before + refused.members, options: ["format": refused.format])
        try expectRefused(fixture, archive, refused.expected, keep: ["bad"])
    }

    @Test("encrypted zip members are refused")
    func encryptedZip() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make(
            "secret.zip", kind: "zip", [.file("secret", "hidden", method: "stored")], options: ["encrypt": true])
        try expectRefused(
            fixture, archive, "member 'secret': encrypted zip members are not supported", keep: ["secret.zip"])
    }

    @Test("damaged tar archives are refused: bad checksum, truncated data, no end marker")
    func damagedTar() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        try fixture.make("ok.tar", RefusedCase.before + [.file("data", String(repeating: "d", count: 2000))])
        let bytes = try fixture.bytes("ok.tar")
        // ustar layout here (pax only adds headers for long names): good/, good/file + 1 block, data + 4 blocks.
        let dataHeader = 512 * 3
        var checksum = bytes
        checksum[dataHeader + 1] ^= 0x20
        try fixture.write("checksum.tar", checksum)
        try expectRefused(
            fixture, fixture.path("checksum.tar"), "bad header checksum", keep: ["ok.tar", "checksum.tar"])
        try fixture.write("cut.tar", Array(bytes[..<(dataHeader + 512 + 1000)]))
        try expectRefused(
            fixture, fixture.path("cut.tar"), "member 'data': the archive ends inside its data (truncated)",
            keep: ["ok.tar", "checksum.tar", "cut.tar"])
        try fixture.write("unended.tar", Array(bytes[..<(dataHeader + 512 * 5)]))
        try expectRefused(
            fixture, fixture.path("unended.tar"), "without its end-of-archive marker",
            keep: ["ok.tar", "checksum.tar", "cut.tar", "unended.tar"])
        try fixture.write("header.tar", Array(bytes[..<(dataHeader + 100)]))
        try expectRefused(
            fixture, fixture.path("header.tar"), "ends inside a header",
            keep: ["ok.tar", "checksum.tar", "cut.tar", "unended.tar", "header.tar"])
    }

    @Test("damaged compressed tar archives are refused: trailing garbage, truncation", arguments: ["gz", "xz"])
    func damagedCompressedTar(compression: String) throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        try fixture.make("ok", RefusedCase.before, options: ["compression": compression])
        let bytes = try fixture.bytes("ok")
        try fixture.write("garbage", bytes + Array("GARBAGE".utf8))
        try expectRefused(fixture, fixture.path("garbage"), "trailing garbage", keep: ["ok", "garbage"])
        try fixture.write("cut", Array(bytes.dropLast(6)))
        try expectRefused(fixture, fixture.path("cut"), "truncated", keep: ["ok", "garbage", "cut"])
    }

    @Test("damaged zip archives are refused: CRC mismatch, truncation, trailing garbage")
    func damagedZip() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        try fixture.make(
            "ok.zip", kind: "zip", RefusedCase.before + [.file("plain", "plain stored text", method: "stored")])
        let bytes = try fixture.bytes("ok.zip")
        var corrupt = bytes
        let text = Array("plain stored text".utf8)
        let at = try #require(
            (0...(bytes.count - text.count)).first { bytes[$0..<$0 + text.count].elementsEqual(text) })
        corrupt[at] ^= 1
        try fixture.write("crc.zip", corrupt)
        try expectRefused(
            fixture, fixture.path("crc.zip"), "member 'plain': CRC-32 mismatch", keep: ["ok.zip", "crc.zip"])
        try fixture.write("cut.zip", Array(bytes.prefix(bytes.count / 2)))
        try expectRefused(
            fixture, fixture.path("cut.zip"), "no end of central directory record",
            keep: ["ok.zip", "crc.zip", "cut.zip"])
        try fixture.write("tail.zip", bytes + Array("GARBAGE".utf8))
        try expectRefused(
            fixture, fixture.path("tail.zip"), "no end of central directory record",
            keep: ["ok.zip", "crc.zip", "cut.zip", "tail.zip"])
    }

    @Test("what is no archive is refused, and an existing destination is left alone")
    func notAnArchiveAndExistingDestination() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        try fixture.write("text.tar.gz", Array(String(repeating: "just text\n", count: 100).utf8))
        try expectRefused(
            fixture, fixture.path("text.tar.gz"), "not a tar, gzip, xz or zip archive", keep: ["text.tar.gz"])
        try fixture.write("empty.zip", [])
        try expectRefused(fixture, fixture.path("empty.zip"), "empty", keep: ["text.tar.gz", "empty.zip"])
        try expectRefused(
            fixture, fixture.path("missing.tar"), "cannot open the archive", keep: ["text.tar.gz", "empty.zip"])
        let archive = try fixture.make("ok.tar", RefusedCase.before)
        try FileManager.default.createDirectory(atPath: fixture.path("out"), withIntermediateDirectories: false)
        try TestFiles.write(fixture.path("out/mine"), Array("not Keel's\n".utf8))
        try expectRefused(
            fixture, archive, "already exists", keep: ["text.tar.gz", "empty.zip", "ok.tar", "out"])
        #expect(TreeEntry.at(fixture.path("out/mine")) == .file("not Keel's\n", executable: false))
    }
}
