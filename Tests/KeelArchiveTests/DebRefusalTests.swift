import KeelArchive
import KeelLinux
import KeelTesting
import Testing

@Suite("DebArchive on hand-made packages: modes, and malformed or unsafe input refused", .ownThreads)
struct DebRefusalTests {
    let fixture: ArchiveFixture

    init() throws { fixture = try ArchiveFixture() }

    /// A tar of `members` (made by Python's tarfile), compressed as `compression` says: none,
    /// gz, xz, or zst (by the zstd tool).
    func tar(_ name: String, _ members: [Member], compression: String) throws -> [UInt8] {
        if compression == "zst" {
            let plain = try FileSystem.readWholeFile(try fixture.make(name + ".plain", members))
            let result = try ProcessRunner.run("/usr/bin/zstd", ["-q", "-c", "-3"], input: plain)
            try #require(result.status == 0)
            return result.standardOutput
        }
        return try FileSystem.readWholeFile(try fixture.make(name, members, options: ["compression": compression]))
    }

    /// A .deb (ar, as dpkg writes it) of `members`.
    func deb(_ name: String, _ members: [(name: String, content: [UInt8])]) throws -> String {
        try fixture.write(name, ArBytes.archive(members))
        return fixture.path(name)
    }

    /// A .deb whose data archive holds `data`, compressed as `compression` says.
    func deb(_ name: String, data: [Member], compression: String = "xz") throws -> String {
        let control = try tar(name + "-control.tar.gz", [.file("./control", "Package: test\n")], compression: "gz")
        let suffix = compression == "none" ? "" : "." + compression
        return try deb(
            name,
            [
                ("debian-binary", Array("2.0\n".utf8)), ("control.tar.gz", control),
                ("data.tar" + suffix, try tar(name + "-data.tar" + suffix, data, compression: compression)),
            ])
    }

    /// Unpacks `deb` into a new directory `name`; the error, if any.
    func extract(_ deb: String, into name: String) throws -> ArchiveError? {
        try FileSystem.makeDirectories(fixture.path(name))
        do {
            try DebArchive(path: deb).extractData(into: fixture.path(name))
            return nil
        } catch {
            return error
        }
    }

    /// Flips one byte in the middle of the member `member` of `deb`.
    func corrupt(_ deb: String, member: String) throws {
        let target = try #require(try ArReader(path: deb).member(named: member))
        var bytes = try FileSystem.readWholeFile(deb)
        bytes[Int(target.contentOffset + target.size / 2)] ^= 0x20
        try fixture.write(String(deb.split(separator: "/").last ?? ""), bytes)
    }

    @Test("Keeps executable bits only, drops setuid, setgid and sticky, copies hard links, keeps symlinks as they are")
    func modes() throws {
        defer { fixture.remove() }
        let deb = try deb(
            "modes.deb",
            data: [
                .directory("./"), Member(name: "./private", type: "dir", mode: 0o700),
                .file("./private/setuid", "#!/bin/sh\n", mode: 0o4755), .file("./sticky", "s", mode: 0o1644),
                .file("./secret", "k", mode: 0o600), .file("./owner-only", "x", mode: 0o700),
                .hardLink("./private/link", to: "./private/setuid", mode: 0o4755),
                .symlink("./absolute", to: "/etc/ssl/certs"), .symlink("./relative", to: "../outside/of/the/package"),
            ])
        let error = try extract(deb, into: "out")
        #expect(error == nil, "\(error?.description ?? "")")
        let out = fixture.path("out")
        #expect(try DebArchive(path: deb).controlText() == "Package: test\n")
        #expect(TreeEntry.at("\(out)/private/setuid") == .file("#!/bin/sh\n", executable: true))
        #expect(TreeEntry.at("\(out)/private/link") == .file("#!/bin/sh\n", executable: true))
        #expect(try FileSystem.status(of: Array("\(out)/private/link".utf8)).linkCount == 1)
        #expect(TreeEntry.at("\(out)/absolute") == .symlink("/etc/ssl/certs"))
        #expect(TreeEntry.at("\(out)/relative") == .symlink("../outside/of/the/package"))
        #expect(
            try DebFixture.permissions(out) == [
                "private": 0o755, "private/setuid": 0o755, "private/link": 0o755, "sticky": 0o644, "secret": 0o644,
                "owner-only": 0o755,
            ])
    }

    @Test("A package that is not a well-formed .deb is refused when opened, with the reason")
    func malformedPackages() throws {
        defer { fixture.remove() }
        let control = try tar("control.tar.xz", [.file("./control", "Package: test\n")], compression: "xz")
        let data = try tar("data.tar.xz", [.file("./usr/bin/tool", "#!/bin/sh\n", mode: 0o755)], compression: "xz")
        let binary: (String, [UInt8]) = ("debian-binary", Array("2.0\n".utf8))
        let good = ArBytes.archive([binary, ("control.tar.xz", control), ("data.tar.xz", data)])
        let cases: [(name: String, bytes: [UInt8], message: String)] = [
            ("magic", Array("!<arck>\n".utf8) + good.dropFirst(8), "not an ar archive"),
            (
                "truncated", Array(good.dropLast(40)),
                "(header at offset \(good.count - data.count - 60 - data.count % 2))"
            ),
            ("no-data", ArBytes.archive([binary, ("control.tar.xz", control)]), "no data.tar member"),
            ("no-control", ArBytes.archive([binary, ("data.tar.xz", data)]), "no control.tar member"),
            (
                "first", ArBytes.archive([("control.tar.xz", control), binary, ("data.tar.xz", data)]),
                "its first member is 'control.tar.xz', not 'debian-binary'"
            ),
            (
                "version", ArBytes.archive([("debian-binary", Array("3.0\n".utf8)), ("control.tar.xz", control)]),
                "unsupported Debian package format '3.0'"
            ),
            (
                "bzip2", ArBytes.archive([binary, ("control.tar.xz", control), ("data.tar.bz2", data)]),
                "member 'data.tar.bz2': bzip2 and lzma compression are not supported"
            ),
            (
                "extra", ArBytes.archive([binary, ("control.tar.xz", control), ("data.tar.xz", data), ("extra", [1])]),
                "unexpected member 'extra'"
            ),
            (
                "order", ArBytes.archive([binary, ("data.tar.xz", data), ("control.tar.xz", control)]),
                "follows the data archive"
            ),
            (
                "twice",
                ArBytes.archive([binary, ("control.tar.xz", control), ("data.tar.xz", data), ("data.tar", data)]),
                "a second data archive 'data.tar'"
            ),
        ]
        for (name, bytes, message) in cases {
            try fixture.write(name, bytes)
            let path = fixture.path(name)
            let error = #expect(throws: ArchiveError.self, "\(name)") { try DebArchive(path: path) }
            #expect(error?.description.hasPrefix("\(path): ") == true)
            #expect(error?.description.contains(message) == true, "\(name): \(error?.description ?? "no error")")
        }
        let ignored = try deb(
            "ignored.deb", [binary, ("control.tar.xz", control), ("_signature", [1, 2, 3]), ("data.tar.xz", data)])
        #expect(try extract(ignored, into: "ignored") == nil)
        #expect(TreeEntry.at(fixture.path("ignored/usr/bin/tool")) == .file("#!/bin/sh\n", executable: true))
    }

    @Test(
        "An unsafe data member is refused and nothing is written outside the target (what came before it stays)",
        arguments: [
            ([Member.file("./../escape", "x")], "'..' component"),
            ([Member.file("/escape", "x")], "absolute path"),
            ([Member.symlink("./link", to: ".."), Member.file("./link/escape", "x")], "through the symlink 'link'"),
            ([Member(name: "./pipe", type: "fifo", mode: 0o644)], "device and fifo members are not supported"),
            ([Member(name: "./null", type: "chr", mode: 0o666)], "device and fifo members are not supported"),
            ([Member.file("./twice", "a"), Member.file("./twice", "b")], "appears twice"),
            ([Member.hardLink("./link", to: "./missing")], "not an earlier member"),
        ])
    func unsafeMembers(members: [Member], message: String) throws {
        defer { fixture.remove() }
        let deb = try deb("unsafe.deb", data: [.file("./before", "kept")] + members)
        let error = try #require(try extract(deb, into: "target"))
        #expect(error.description.hasPrefix("\(deb): data.tar.xz: member "), "\(error)")
        #expect(error.description.contains(message), "\(error)")
        #expect(TreeEntry.at(fixture.path("escape")) == .missing)
        #expect(TreeEntry.at("/escape") == .missing)
        #expect(TreeEntry.at(fixture.path("target/before")) == .file("kept", executable: false))
        #expect(
            try fixture.strayEntries(besides: ["unsafe.deb", "target"]).filter { !$0.hasPrefix("unsafe.deb-") } == [])
    }

    @Test("A corrupt or truncated data stream is an error naming the decompressor", arguments: ["xz", "gz", "zst"])
    func corruptData(compression: String) throws {
        defer { fixture.remove() }
        let members = [
            Member(name: "./usr/share/blob", random: 300_000), .file("./usr/bin/tool", "#!/bin/sh\n", mode: 0o755),
        ]
        let healthy = try deb("healthy.deb", data: members, compression: compression)
        #expect(try extract(healthy, into: "healthy") == nil)
        let damaged = try deb("damaged.deb", data: members, compression: compression)
        try corrupt(damaged, member: "data.tar.\(compression)")
        let prefix =
            ["xz": "xz: corrupt data", "gz": "gzip: corrupt data", "zst": "zstd: corrupt data"][compression] ?? ""
        let error = try #require(try extract(damaged, into: "damaged"))
        #expect(error.description.contains("data.tar.\(compression): \(prefix)"), "\(error)")
        // Cut the compressed member short, keeping the ar archive well-formed.
        let whole = try #require(try ArReader(path: healthy).member(named: "data.tar.\(compression)"))
        let bytes = try FileSystem.readWholeFile(healthy)
        let cut = Array(
            bytes[Int(whole.contentOffset)..<Int(whole.contentOffset + whole.size)].prefix(Int(whole.size) / 2))
        let control = try tar("cut-control.tar.gz", [.file("./control", "Package: test\n")], compression: "gz")
        let truncated = try deb(
            "truncated.deb",
            [("debian-binary", Array("2.0\n".utf8)), ("control.tar.gz", control), ("data.tar.\(compression)", cut)])
        let truncation = try #require(try extract(truncated, into: "truncated"))
        #expect(truncation.description.contains("truncated"), "\(truncation)")
    }

    @Test("The target must exist and be empty; a control archive without a control file is an error")
    func targetAndControl() throws {
        defer { fixture.remove() }
        let deb = try deb("plain.deb", data: [.file("./a", "a")], compression: "none")
        try FileSystem.makeDirectories(fixture.path("full/x"))
        let archive = try DebArchive(path: deb)
        let full = #expect(throws: ArchiveError.self) { try archive.extractData(into: fixture.path("full")) }
        #expect(full?.description.contains("the directory is not empty") == true)
        #expect(throws: ArchiveError.self) { try archive.extractData(into: fixture.path("missing")) }
        #expect(TreeEntry.at(fixture.path("full/a")) == .missing)

        let control = try tar("bare-control.tar", [.file("./md5sums", "")], compression: "none")
        let bare = try self.deb(
            "bare.deb", [("debian-binary", Array("2.0\n".utf8)), ("control.tar", control), ("data.tar", [])])
        let error = #expect(throws: ArchiveError.self) { try DebArchive(path: bare).controlFile() }
        #expect(error?.description == "\(bare): control.tar: it holds no 'control' file")
    }
}
