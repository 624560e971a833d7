import KeelArchive
import KeelLinux
import KeelTesting
import Testing

/// Builds ar archives byte by byte: names as dpkg writes them (space-padded) or as GNU ar does
/// (terminated by `/`).
enum ArBytes {
    static let magic = Array("!<arch>\n".utf8)

    /// A 60-byte member header; `size` defaults to the content's.
    static func header(_ name: String, size: Int, mode: String = "100644", end: String = "`\n") -> [UInt8] {
        func field(_ text: String, _ width: Int) -> [UInt8] {
            Array(text.utf8.prefix(width)) + Array(repeating: UInt8(ascii: " "), count: max(0, width - text.utf8.count))
        }
        return field(name, 16) + field("1700000000", 12) + field("0", 6) + field("0", 6) + field(mode, 8)
            + field(String(size), 10) + Array(end.utf8)
    }

    /// A whole archive of `members`, each padded to an even length with a newline.
    static func archive(_ members: [(name: String, content: [UInt8])], gnuNames: Bool = false) -> [UInt8] {
        var bytes = magic
        for (name, content) in members {
            bytes += header(gnuNames ? name + "/" : name, size: content.count) + content
            if content.count % 2 == 1 { bytes.append(UInt8(ascii: "\n")) }
        }
        return bytes
    }
}

@Suite("ArReader against GNU ar, and malformed archives", .ownThreads)
struct ArReaderTests {
    let temporary: TemporaryDirectory

    init() throws { temporary = try TemporaryDirectory(prefix: "keel-ar") }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = temporary.appending(name)
        try TestFiles.write(path, bytes)
        return path
    }

    /// Every member's content, read whole and streamed.
    func contents(_ reader: ArReader) throws -> [[UInt8]] {
        try reader.members.map { member in
            var source = reader.content(of: member)
            let streamed = try readWholeStream(&source, readSize: 7)
            #expect(try reader.readContent(of: member, limit: 1 << 20) == streamed)
            return streamed
        }
    }

    @Test("Lists and reads what GNU ar wrote: odd sizes, an empty member, long names in a '//' table")
    func matchesGNUAr() throws {
        defer { temporary.remove() }
        var generator = SeededGenerator(seed: testSeed())
        let members: [(String, [UInt8])] = [
            ("a", Array("abc".utf8)), ("even.txt", Array("even".utf8)), ("empty", []),
            ("a-rather-long-member-name.bin", generator.bytes(1001)), ("x", generator.bytes(1)),
            ("another-long-name-here.txt", Array("long\n".utf8)), ("sixteen-chars-ab", generator.bytes(16)),
        ]
        var names: [String] = []
        for (name, content) in members { names.append(try write(name, content)) }
        let archive = temporary.appending("gnu.a")
        let made = try ProcessRunner.run("ar", ["qcD", archive] + members.map(\.0), directory: temporary.path)
        try #require(made.status == 0, "\(made.errorOutput)")
        let reader = try ArReader(path: archive)
        let listed = try ProcessRunner.run("ar", ["t", archive])
        #expect(reader.members.map(\.name) == listed.output.split(separator: "\n").map(String.init))
        #expect(reader.members.map(\.name) == members.map(\.0))
        let read = try contents(reader)
        for (index, member) in reader.members.enumerated() {
            let printed = try ProcessRunner.run("ar", ["p", archive, member.name])
            #expect(read[index] == printed.standardOutput, "member \(member.name)")
            #expect(read[index] == members[index].1)
            #expect(member.mode == 0o644)
        }
    }

    @Test("Reads names as dpkg writes them (space-padded) and as GNU ar does ('/'-terminated)")
    func nameStyles() throws {
        defer { temporary.remove() }
        let members: [(name: String, content: [UInt8])] = [
            ("debian-binary", Array("2.0\n".utf8)), ("control.tar.xz", Array("odd".utf8)), ("data.tar", []),
        ]
        for gnuNames in [false, true] {
            let reader = try ArReader(
                path: try write("style-\(gnuNames).a", ArBytes.archive(members, gnuNames: gnuNames)))
            #expect(reader.members.map(\.name) == members.map(\.name))
            #expect(try contents(reader) == members.map(\.content))
            #expect(reader.members.map(\.headerOffset) == [8, 72, 136])
            #expect(reader.member(named: "control.tar.xz")?.contentOffset == 132)
        }
        let empty = try ArReader(path: try write("empty.a", ArBytes.magic))
        #expect(empty.members.isEmpty)
    }

    @Test("A malformed or truncated archive is refused, naming the offset at fault")
    func malformed() throws {
        defer { temporary.remove() }
        let good = ArBytes.header("one", size: 3) + Array("abc\n".utf8)
        let cases: [(name: String, bytes: [UInt8], message: String)] = [
            (
                "magic", Array("!<arch>X".utf8) + good,
                "not an ar archive: it does not start with \"!<arch>\\n\" (at offset 0)"
            ),
            ("empty", [], "not an ar archive"),
            ("short-header", ArBytes.magic + Array(good.prefix(30)), "the member header at offset 8 is truncated"),
            (
                "second-header", ArBytes.magic + good + Array(good.prefix(59)),
                "the member header at offset 72 is truncated"
            ),
            (
                "end-marker", ArBytes.magic + ArBytes.header("one", size: 3, end: "``") + Array("abc\n".utf8),
                "malformed member header at offset 8"
            ),
            (
                "size",
                ArBytes.magic + ArBytes.header("one", size: 3).enumerated().map { $0.offset == 49 ? 0x61 : $0.element }
                    + Array("abc\n".utf8), "malformed size field in the member header at offset 8"
            ),
            (
                "blank-size",
                ArBytes.magic + Array(ArBytes.header("one", size: 3).prefix(48)) + Array(repeating: 0x20, count: 10)
                    + Array("`\n".utf8), "malformed size field in the member header at offset 8"
            ),
            (
                "mode", ArBytes.magic + ArBytes.header("one", size: 3, mode: "100899") + Array("abc\n".utf8),
                "malformed mode field in the member header at offset 8"
            ),
            (
                "content", ArBytes.magic + ArBytes.header("one", size: 100) + Array("abc".utf8),
                "member 'one' (header at offset 8) is truncated: it claims 100 bytes but the file ends after 3"
            ),
            (
                "padding", ArBytes.magic + ArBytes.header("one", size: 3) + Array("abc".utf8),
                "member 'one' (header at offset 8) is not followed by its newline padding byte at offset 71 (truncated)"
            ),
            (
                "long-name", ArBytes.magic + ArBytes.header("/0", size: 2) + Array("ab".utf8),
                "the member header at offset 8 refers to a long name, but no '//' table precedes it"
            ),
            (
                "name", ArBytes.magic + ArBytes.header("/", size: 0) + ArBytes.header("/ ab", size: 0),
                "the member header at offset 68 has a malformed name"
            ),
        ]
        for (name, bytes, message) in cases {
            let path = try write(name, bytes)
            let error = #expect(throws: ArchiveError.self, "\(name)") { try ArReader(path: path) }
            #expect(error?.description.contains(message) == true, "\(name): \(error?.description ?? "no error")")
        }
    }
}
