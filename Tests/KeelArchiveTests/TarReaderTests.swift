import Foundation
import KeelArchive
import KeelTesting
import Testing

@Suite("TarReader, the decompressors and format detection", .ownThreads)
struct TarReaderTests {
    /// Every entry of `reader` with its content, read `chunkSize` bytes at a time.
    func readAll<Source: ByteSource>(_ reader: TarReader<Source>, chunkSize: Int = 7) throws
        -> [(TarEntry, [UInt8])]
    {
        var entries: [(TarEntry, [UInt8])] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while let entry = try reader.next() {
            var content: [UInt8] = []
            while case let count = try chunk.withUnsafeMutableBytes({ try reader.readContent(into: $0) }), count > 0 {
                content += chunk[..<count]
            }
            entries.append((entry, content))
        }
        return entries
    }

    /// All bytes `source` yields.
    func drain(_ source: some ByteSource) throws -> [UInt8] {
        var source = source
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while case let count = try chunk.withUnsafeMutableBytes({ try source.read(into: $0) }), count > 0 {
            bytes += chunk[..<count]
        }
        return bytes
    }

    @Test("reports names, kinds, link targets and content as the archive holds them", arguments: ["gnu", "pax"])
    func entries(format: String) throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let members = sampleTarMembers(format: format)
        let archive = try fixture.make("sample.tar.gz", members, options: ["format": format, "compression": "gz"])
        let reader = TarReader(source: try GzipDecompressor(source: try FileByteSource(path: archive)))
        let read = try readAll(reader)
        #expect(try reader.next() == nil)
        #expect(read.count == members.count)
        for ((entry, content), member) in zip(read, members) {
            let name = String(decoding: entry.path, as: UTF8.self)
            #expect(name == member.name || name == member.name + "/", "\(name)")
            switch member.type {
            case "dir": #expect(entry.kind == .directory, "\(name)")
            case "symlink":
                #expect(entry.kind == .symbolicLink, "\(name)")
                #expect(String(decoding: entry.linkTarget, as: UTF8.self) == member.link, "\(name)")
            case "hardlink":
                #expect(entry.kind == .hardLink, "\(name)")
                #expect(String(decoding: entry.linkTarget, as: UTF8.self) == member.link, "\(name)")
            default:
                #expect(entry.kind == .regularFile, "\(name)")
                #expect(content == Array((member.text ?? "").utf8), "\(name)")
                #expect(entry.size == UInt64(content.count))
                #expect(entry.mode == UInt32(member.mode ?? 0o644))
            }
            #expect(entry.modificationTime == 1_700_000_000)
        }
    }

    @Test("content left unread is skipped by next()")
    func skipsUnreadContent() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        let members = [Member(name: "skipped", random: 200_000), .file("read", "read me\n")]
        let archive = try fixture.make("skip.tar", members, options: ["format": "ustar"])
        let reader = TarReader(source: try FileByteSource(path: archive))
        #expect(try reader.next()?.size == 200_000)
        let second = try #require(try reader.next())
        #expect(second.path == Array("read".utf8))
        var buffer = [UInt8](repeating: 0, count: 100)
        let count = try buffer.withUnsafeMutableBytes { try reader.readContent(into: $0) }
        #expect(Array(buffer[..<count]) == Array("read me\n".utf8))
        #expect(try reader.next() == nil)
    }

    @Test("gzip members and xz streams one after another (with xz stream padding) are one stream")
    func concatenatedStreams() throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        try fixture.python(
            """
            import gzip, lzma, sys
            open(sys.argv[1], "wb").write(gzip.compress(b"first ") + gzip.compress(b"second"))
            open(sys.argv[2], "wb").write(lzma.compress(b"first ") + bytes(8) + lzma.compress(b"second"))
            """, [fixture.path("two.gz"), fixture.path("two.xz")])
        let expected = Array("first second".utf8)
        #expect(try drain(try GzipDecompressor(source: try FileByteSource(path: fixture.path("two.gz")))) == expected)
        #expect(try drain(try XzDecompressor(source: try FileByteSource(path: fixture.path("two.xz")))) == expected)
    }

    @Test("trailing garbage and truncation of a compressed stream are refused", arguments: ["gz", "xz"])
    func damagedStreams(compression: String) throws {
        let fixture = try ArchiveFixture()
        defer { fixture.remove() }
        try fixture.python(
            """
            import gzip, lzma, sys
            data = bytes(range(256)) * 64
            compress = gzip.compress if sys.argv[2] == "gz" else lambda d: lzma.compress(d, format=lzma.FORMAT_XZ)
            open(sys.argv[1], "wb").write(compress(data))
            """, [fixture.path("stream"), compression])
        let whole = try fixture.bytes("stream")
        func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
            try fixture.write("damaged", bytes)
            let file = try FileByteSource(path: fixture.path("damaged"))
            return compression == "gz"
                ? try drain(try GzipDecompressor(source: file)) : try drain(try XzDecompressor(source: file))
        }
        #expect(try decompress(whole).count == 256 * 64)
        let garbage = #expect(throws: ArchiveError.self) { try decompress(whole + Array("garbage".utf8)) }
        #expect(garbage?.description.contains("trailing garbage") == true, "\(String(describing: garbage))")
        let zeros = #expect(throws: ArchiveError.self) { try decompress(whole + [0, 0, 0]) }
        #expect(zeros != nil)
        let truncated = #expect(throws: ArchiveError.self) { try decompress(Array(whole.dropLast(5))) }
        #expect(truncated?.description.contains("truncated") == true, "\(String(describing: truncated))")
    }

    @Test("formats are told by their first bytes")
    func detection() throws {
        #expect(try ArchiveFormat.detect([0x1f, 0x8b, 8, 0]) == .gzipTar)
        #expect(try ArchiveFormat.detect([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0]) == .xzTar)
        #expect(try ArchiveFormat.detect(Array("PK\u{3}\u{4}rest".utf8)) == .zip)
        #expect(try ArchiveFormat.detect(Array("PK\u{5}\u{6}".utf8) + [UInt8](repeating: 0, count: 18)) == .zip)
        #expect(try ArchiveFormat.detect([UInt8](repeating: 0, count: 512)) == .tar)
        var ustar = [UInt8](repeating: 0, count: 512)
        ustar.replaceSubrange(257..<262, with: Array("ustar".utf8))
        #expect(try ArchiveFormat.detect(ustar) == .tar)
        #expect(throws: ArchiveError.self) { try ArchiveFormat.detect(Array("BZh91AY".utf8)) }
        #expect(throws: ArchiveError.self) { try ArchiveFormat.detect([0x28, 0xb5, 0x2f, 0xfd]) }
        #expect(throws: ArchiveError.self) { try ArchiveFormat.detect(Array(repeating: UInt8(ascii: "a"), count: 600)) }
        #expect(throws: ArchiveError.self) { try ArchiveFormat.detect([]) }
    }
}
