import Foundation
import KeelArchive
import KeelTesting
import Testing

/// A tree exercising what tar archives hold: nested and empty directories, a directory only
/// implied by its members, empty, executable and unicode-named files, long names, symlinks
/// (one dangling, one with a long target where the format allows) and a hard link.
func sampleTarMembers(format: String) -> [Member] {
    let longName =
        format == "ustar"
        ? String(repeating: "p", count: 90) + "/" + String(repeating: "q", count: 90)
        : (0..<4).map { _ in String(repeating: "d", count: 50) }.joined(separator: "/") + "/"
            + String(repeating: "f", count: 150)
    var members: [Member] = [
        .directory("top"),
        .file("top/hello.txt", "hello\n"),
        .file("top/empty", ""),
        .directory("top/bin"),
        .file("top/bin/tool", "#!/bin/sh\necho tool\n", mode: 0o755),
        .directory("top/empty-dir"),
        .file("top/implied/deeper/file", "my parents have no members\n"),
        .symlink("top/link", to: "hello.txt"),
        .symlink("top/dangling", to: "../nowhere/at/all"),
        .hardLink("top/hard", to: "top/bin/tool", mode: 0o755),
        .directory("top/данные"),
        .file("top/данные/ünïcødé-文件.txt", "unicode\n"),
        .file("top/\(longName)", "long name\n"),
    ]
    if format != "ustar" {
        members.append(.symlink("top/long-link", to: String(repeating: "../", count: 10) + longName))
    }
    return members
}

@Suite("Unpacking tar archives, against Python's tarfile and nix hash path", .ownThreads)
struct TarUnpackTests {
    static let formats = ["ustar", "gnu", "pax"]
    static let compressions = ["none", "gz", "xz"]

    @Test("each format and compression unpacks to the tree tarfile extracts", arguments: formats, compressions)
    func matchesTarfile(format: String, compression: String) throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make(
            "sample.archive", sampleTarMembers(format: format), options: ["format": format, "compression": compression])
        let reference = try fixture.referenceExtract(archive, into: "reference")
        let kept = try fixture.unpack(archive, into: "kept")
        #expect(try fixture.narHash(kept) == (try fixture.narHash(reference)))
        let stripped = try fixture.unpack(archive, into: "stripped", strip: true)
        #expect(try fixture.narHash(stripped) == (try fixture.narHash(reference + "/top")))
        #expect(try fixture.strayEntries(besides: ["sample.archive", "reference", "kept", "stripped"]).isEmpty)
    }

    @Test("modes, symlinks, hard links and empty entries land as the archive says")
    func entriesInDetail() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make(
            "sample.tar.gz", sampleTarMembers(format: "pax"), options: ["format": "pax", "compression": "gz"])
        let tree = try fixture.unpack(archive, into: "tree", strip: true)
        #expect(TreeEntry.at(tree + "/hello.txt") == .file("hello\n", executable: false))
        #expect(TreeEntry.at(tree + "/empty") == .file("", executable: false))
        #expect(TreeEntry.at(tree + "/bin/tool") == .file("#!/bin/sh\necho tool\n", executable: true))
        #expect(TreeEntry.at(tree + "/hard") == .file("#!/bin/sh\necho tool\n", executable: true))
        #expect(TreeEntry.at(tree + "/link") == .symlink("hello.txt"))
        #expect(TreeEntry.at(tree + "/dangling") == .symlink("../nowhere/at/all"))
        #expect(TreeEntry.at(tree + "/empty-dir") == .directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree + "/empty-dir").isEmpty)
        #expect(TreeEntry.at(tree + "/implied/deeper/file") == .file("my parents have no members\n", executable: false))
        #expect(TreeEntry.at(tree + "/данные/ünïcødé-文件.txt") == .file("unicode\n", executable: false))
        let hard = try FileManager.default.attributesOfItem(atPath: tree + "/hard")
        let tool = try FileManager.default.attributesOfItem(atPath: tree + "/bin/tool")
        #expect(hard[.systemFileNumber] as? Int != tool[.systemFileNumber] as? Int, "a hard link becomes a copy")
        #expect(hard[.posixPermissions] as? Int == 0o755)
        #expect(
            try FileManager.default.attributesOfItem(atPath: tree + "/hello.txt")[.posixPermissions] as? Int == 0o644)
    }

    @Test("any execute bit makes a file executable; none leaves it 0644")
    func executableBits() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let members: [Member] = [
            .file("group-only", "g\n", mode: 0o610), .file("others-only", "o\n", mode: 0o601),
            .file("read-only", "r\n", mode: 0o400), .file("setuid", "s\n", mode: 0o4755),
        ]
        let tree = try fixture.unpack(try fixture.make("modes.tar", members), into: "tree")
        for (name, mode) in [("group-only", 0o755), ("others-only", 0o755), ("read-only", 0o644), ("setuid", 0o755)] {
            let permissions = try FileManager.default.attributesOfItem(atPath: tree + "/" + name)[.posixPermissions]
            #expect(permissions as? Int == mode, "\(name)")
        }
    }

    @Test("a 5 MB member streams through gzip and xz", arguments: ["gz", "xz"])
    func largeMember(compression: String) throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let members = [
            Member(name: "big/blob", random: 5_000_000), .file("big/after", "after the big one\n"),
        ]
        let archive = try fixture.make("big", members, options: ["format": "gnu", "compression": compression])
        let reference = try fixture.referenceExtract(archive, into: "reference")
        let tree = try fixture.unpack(archive, into: "tree")
        #expect(try FileManager.default.attributesOfItem(atPath: tree + "/big/blob")[.size] as? Int == 5_000_000)
        #expect(try fixture.narHash(tree) == (try fixture.narHash(reference)))
    }

    @Test("sizes in base-256 and in pax records, and v7 headers without a magic, are read")
    func headerVariants() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let members: [Member] = [.file("a/one", "first\n"), .file("a/two", String(repeating: "x", count: 1500))]
        let variants: [(String, [String: Any], (([UInt8]) -> Bool))] = [
            ("base256.tar", ["format": "ustar", "base256": true], { $0[124] == 0x80 }),
            ("paxsize.tar", ["format": "pax", "paxsize": true], { $0[156] == UInt8(ascii: "x") }),
            ("v7.tar", ["format": "ustar", "v7": true], { $0[257..<265].allSatisfy { $0 == 0 } }),
        ]
        let expected = try fixture.narHash(try fixture.unpack(try fixture.make("plain.tar", members), into: "plain"))
        for (name, options, isVariant) in variants {
            let archive = try fixture.make(name, members, options: options)
            #expect(isVariant(try fixture.bytes(name)), "the fixture \(name) has the variant header")
            let reference = try fixture.referenceExtract(archive, into: name + ".reference")
            #expect(try fixture.narHash(reference) == expected, "\(name)")
            #expect(try fixture.narHash(try fixture.unpack(archive, into: name + ".tree")) == expected, "\(name)")
        }
    }

    @Test("the single top directory is stripped only when asked and only when it is alone and a directory")
    func stripping() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let single = try fixture.make("single.tar", [.file("only/file", "x\n")])
        #expect(
            TreeEntry.at(try fixture.unpack(single, into: "a", strip: true) + "/file")
                == .file("x\n", executable: false))
        #expect(
            TreeEntry.at(try fixture.unpack(single, into: "b", strip: false) + "/only/file")
                == .file("x\n", executable: false))
        let two = try fixture.make("two.tar", [.file("one/file", "1\n"), .file("two/file", "2\n")])
        #expect(
            TreeEntry.at(try fixture.unpack(two, into: "c", strip: true) + "/two/file")
                == .file("2\n", executable: false))
        let file = try fixture.make("file.tar", [.file("lonely", "alone\n")])
        #expect(
            TreeEntry.at(try fixture.unpack(file, into: "d", strip: true) + "/lonely")
                == .file("alone\n", executable: false))
        let link = try fixture.make("link.tar", [.symlink("pointer", to: "/")])
        #expect(TreeEntry.at(try fixture.unpack(link, into: "e", strip: true) + "/pointer") == .symlink("/"))
        // `tar -C dir .` writes ./ first and ./NAME after: the top level is NAME.
        let dotted = try fixture.make("dotted.tar", [.directory("./"), .directory("./pkg"), .file("./pkg/f", "f\n")])
        #expect(
            TreeEntry.at(try fixture.unpack(dotted, into: "f", strip: true) + "/f") == .file("f\n", executable: false))
        let empty = try fixture.make("empty.tar", [])
        let emptyTree = try fixture.unpack(empty, into: "g", strip: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: emptyTree).isEmpty)
    }

    @Test("the archive is found through a symlink, and the format by content, not by name")
    func symlinkedArchiveWithMisleadingName() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let archive = try fixture.make("really-xz.zip", [.file("d/f", "xz inside\n")], options: ["compression": "xz"])
        try FileManager.default.createSymbolicLink(
            atPath: fixture.path("alias.tar"), withDestinationPath: "really-xz.zip")
        #expect(try ArchiveFormat.detect(try fixture.bytes("really-xz.zip")) == .xzTar)
        let tree = try fixture.unpack(fixture.path("alias.tar"), into: "tree", strip: true)
        #expect(TreeEntry.at(tree + "/f") == .file("xz inside\n", executable: false))
        _ = archive
    }
}
