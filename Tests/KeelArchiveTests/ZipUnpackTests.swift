import Foundation
import KeelArchive
import KeelTesting
import Testing

/// A zip tree: stored and deflated files, directories (one only implied), an executable, an
/// empty file, unicode names and symlinks in the Unix external attributes.
let sampleZipMembers: [Member] = [
    .directory("top"),
    .file("top/stored.txt", "stored as is\n", method: "stored"),
    .file("top/deflated.txt", String(repeating: "squeeze me ", count: 500), method: "deflated"),
    .file("top/empty", "", method: "stored"),
    .file("top/bin/tool", "#!/bin/sh\necho zip\n", mode: 0o755),
    .directory("top/empty-dir"),
    .file("top/implied/file", "no directory member above me\n"),
    .file("top/ünïcødé/文件.txt", "unicode\n"),
    .symlink("top/link", to: "stored.txt"),
    .symlink("top/up", to: "../outside/is/fine/for/a/target"),
]

@Suite("Unpacking zip archives, against Python's zipfile and nix hash path", .ownThreads)
struct ZipUnpackTests {
    @Test("stored and deflated members, modes and symlinks unpack as the reference extraction")
    func matchesZipfile() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make("sample.zip", kind: "zip", sampleZipMembers)
        let reference = try fixture.referenceExtract(archive, kind: "zip", into: "reference")
        let kept = try fixture.unpack(archive, into: "kept")
        #expect(try fixture.narHash(kept) == (try fixture.narHash(reference)))
        let stripped = try fixture.unpack(archive, into: "stripped", strip: true)
        #expect(try fixture.narHash(stripped) == (try fixture.narHash(reference + "/top")))
        #expect(TreeEntry.at(stripped + "/bin/tool") == .file("#!/bin/sh\necho zip\n", executable: true))
        #expect(TreeEntry.at(stripped + "/stored.txt") == .file("stored as is\n", executable: false))
        #expect(TreeEntry.at(stripped + "/link") == .symlink("stored.txt"))
        #expect(TreeEntry.at(stripped + "/up") == .symlink("../outside/is/fine/for/a/target"))
        #expect(TreeEntry.at(stripped + "/empty-dir") == .directory)
        #expect(try fixture.strayEntries(besides: ["sample.zip", "reference", "kept", "stripped"]).isEmpty)
    }

    @Test("zip64 sizes, offsets and end records are read")
    func zip64() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let plain = try fixture.make("plain.zip", kind: "zip", sampleZipMembers)
        let wide = try fixture.make("wide.zip", kind: "zip", sampleZipMembers, options: ["zip64": true])
        #expect(try fixture.bytes("wide.zip").count > (try fixture.bytes("plain.zip").count))
        let reference = try fixture.referenceExtract(wide, kind: "zip", into: "reference")
        let tree = try fixture.unpack(wide, into: "tree")
        #expect(try fixture.narHash(tree) == (try fixture.narHash(reference)))
        #expect(try fixture.narHash(tree) == (try fixture.narHash(try fixture.unpack(plain, into: "plain-tree"))))
    }

    @Test("an empty zip (only the end record) unpacks to an empty directory")
    func emptyZip() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make("empty.zip", kind: "zip", [])
        #expect(try fixture.bytes("empty.zip").starts(with: [0x50, 0x4b, 0x05, 0x06]))
        let tree = try fixture.unpack(archive, into: "tree", strip: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree).isEmpty)
    }

    @Test("5 MB members stream, stored and deflated", arguments: ["stored", "deflated"])
    func largeMember(method: String) throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let members = [Member(name: "big/blob", random: 5_000_000, method: method), .file("big/small", "small\n")]
        let archive = try fixture.make("big.zip", kind: "zip", members)
        let reference = try fixture.referenceExtract(archive, kind: "zip", into: "reference")
        let tree = try fixture.unpack(archive, into: "tree")
        #expect(try fixture.narHash(tree) == (try fixture.narHash(reference)))
    }

    @Test("ZipReader lists members and streams their content in small chunks")
    func readerInterface() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make("sample.zip", kind: "zip", sampleZipMembers)
        let reader = try ZipReader(path: archive)
        #expect(reader.entries.count == sampleZipMembers.count)
        let byName = Dictionary(
            uniqueKeysWithValues: reader.entries.map { (String(decoding: $0.path, as: UTF8.self), $0) })
        #expect(byName["top/"]?.kind == .directory)
        #expect(byName["top/link"]?.kind == .symbolicLink)
        #expect(byName["top/bin/tool"]?.isExecutable == true)
        #expect(byName["top/stored.txt"]?.compressionMethod == 0)
        let deflated = try #require(byName["top/deflated.txt"])
        #expect(deflated.compressionMethod == 8)
        #expect(deflated.compressedSize < deflated.size)
        let content = try reader.contents(of: deflated)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 7)
        while case let count = try chunk.withUnsafeMutableBytes({ try content.read(into: $0) }), count > 0 {
            bytes += chunk[..<count]
        }
        #expect(bytes == Array(String(repeating: "squeeze me ", count: 500).utf8))
    }
}
