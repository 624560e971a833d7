import KeelFormats
import KeelTesting
import Testing

/// Parses a whole NAR strictly and returns its hash and size.
private func parse(_ bytes: [UInt8], limits: NARLimits = .standard) throws -> (hash: NixHash, size: UInt64) {
    var reader = ByteReader(source: ArrayByteSource(bytes), bufferSize: 64)
    var visitor = ValidatingNARVisitor()
    return try NARReader.parseWhole(&reader, visitor: &visitor, limits: limits)
}

private let helloNAR = NARTokens.archive(["nix-archive-1", "(", "type", "regular", "contents", "hello\n", ")"])

@Suite("NAR writer and reader", .ownThreads)
struct NARTests {
    @Test("the writer produces the spec's 120-byte hello NAR")
    func writerHello() throws {
        var writer = try NARWriter(sink: ArrayNARSink())
        try writer.beginFile(executable: false, size: 6)
        try Array("hello\n".utf8).withUnsafeBytes { try writer.writeContents($0) }
        try writer.endFile()
        try writer.finish()
        #expect(writer.sink.bytes == helloNAR)
        #expect(writer.sink.bytes.count == 120)
        #expect(try parse(helloNAR).hash.base16 == "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13")
    }

    @Test("the writer refuses unsorted, duplicate and invalid names, and bad sizes")
    func writerChecks() throws {
        var writer = try NARWriter(sink: ArrayNARSink())
        try writer.beginDirectory()
        try writer.entry(name: Array("b".utf8))
        try writer.symlink(target: Array("x".utf8))
        #expect(throws: NARWriteError.unsortedEntry(previous: Array("b".utf8), name: Array("a".utf8))) {
            try writer.entry(name: Array("a".utf8))
        }
        #expect(throws: NARWriteError.self) { try writer.entry(name: Array("b".utf8)) }
        for bad in ["", ".", "..", "a/b", "a\u{0}b"] {
            #expect(throws: NARWriteError.self) { try writer.entry(name: Array(bad.utf8)) }
        }
        try writer.entry(name: Array("c".utf8))
        try writer.beginFile(executable: true, size: 3)
        #expect(throws: NARWriteError.contentsSizeMismatch(declared: 3)) { try writer.endFile() }
        #expect(throws: NARWriteError.self) { try writer.finish() }
    }

    @Test("a directory with sorted entries parses and reports its nodes in order")
    func readsDirectory() throws {
        struct Recorder: NARVisitor {
            var events: [String] = []
            mutating func beginDirectory(name: [UInt8]?) throws {
                events.append("dir \(name.map { String(decoding: $0, as: UTF8.self) } ?? "/")")
            }
            mutating func endDirectory() throws { events.append("end") }
            mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {
                events.append("file \(String(decoding: name ?? [], as: UTF8.self)) \(executable) \(size)")
            }
            mutating func symlink(name: [UInt8]?, target: [UInt8]) throws {
                events.append(
                    "link \(String(decoding: name ?? [], as: UTF8.self)) \(String(decoding: target, as: UTF8.self))")
            }
        }
        let bytes = NARTokens.directory([
            ["B", "node", "(", "type", "regular", "contents", "", ")"],
            ["a", "node", "(", "type", "regular", "executable", "", "contents", "xyz", ")"],
            ["l", "node", "(", "type", "symlink", "target", "a", ")"],
        ])
        var reader = ByteReader(source: ArrayByteSource(bytes), bufferSize: 64)
        var recorder = Recorder()
        try NARReader.parseWhole(&reader, visitor: &recorder)
        #expect(recorder.events == ["dir /", "file B false 0", "file a true 3", "link l a", "end"])
    }

    static let malformed: [(String, [UInt8], String)] = [
        (
            "bad magic", NARTokens.archive(["nix-archive-2", "(", "type", "regular", "contents", "", ")"]),
            "bad magic at byte 0"
        ),
        ("garbage", Array("this is not a nar at all, not even close....".utf8), "bad magic at byte 0"),
        (
            "unknown type", NARTokens.archive(["nix-archive-1", "(", "type", "fifo", ")"]),
            "unknown node type 'fifo' at byte 56"
        ),
        (
            "unknown field", NARTokens.archive(["nix-archive-1", "(", "type", "regular", "size", "1", ")"]),
            "found 'size'"
        ),
        ("missing open", NARTokens.archive(["nix-archive-1", "type", "regular"]), "expected '(' at byte 24"),
        (
            "non-empty executable",
            NARTokens.archive(["nix-archive-1", "(", "type", "regular", "executable", "yes", "contents", "", ")"]),
            "non-empty executable marker"
        ),
        (
            "executable after contents",
            NARTokens.archive(["nix-archive-1", "(", "type", "regular", "contents", "", "executable", "", ")"]),
            "expected ')'"
        ),
        (
            "two contents",
            NARTokens.archive(["nix-archive-1", "(", "type", "regular", "contents", "a", "contents", "b", ")"]),
            "expected ')'"
        ),
        (
            "unsorted entries",
            NARTokens.directory([
                ["b", "node", "(", "type", "symlink", "target", "x", ")"],
                ["a", "node", "(", "type", "symlink", "target", "x", ")"],
            ]),
            "is not sorted after 'b'"
        ),
        (
            "duplicate entries",
            NARTokens.directory([
                ["a", "node", "(", "type", "symlink", "target", "x", ")"],
                ["a", "node", "(", "type", "symlink", "target", "x", ")"],
            ]),
            "duplicate entry 'a'"
        ),
        ("empty name", NARTokens.directory([["", "node", "(", "type", "symlink", "target", "x", ")"]]), "empty name"),
        ("dot name", NARTokens.directory([[".", "node", "(", "type", "symlink", "target", "x", ")"]]), "'.' and '..'"),
        (
            "dot-dot name", NARTokens.directory([["..", "node", "(", "type", "symlink", "target", "x", ")"]]),
            "'.' and '..'"
        ),
        (
            "slash in name", NARTokens.directory([["a/b", "node", "(", "type", "symlink", "target", "x", ")"]]),
            "contains '/'"
        ),
        (
            "NUL in name", NARTokens.directory([["a\u{0}b", "node", "(", "type", "symlink", "target", "x", ")"]]),
            "contains NUL"
        ),
        (
            "256-byte name",
            NARTokens.directory([
                [String(repeating: "n", count: 256), "node", "(", "type", "symlink", "target", "x", ")"]
            ]),
            "exceeds the limit of 255"
        ),
        (
            "empty symlink target", NARTokens.archive(["nix-archive-1", "(", "type", "symlink", "target", "", ")"]),
            "symlink target at byte 88: empty"
        ),
        ("trailing bytes", helloNAR + [0], "trailing bytes after the archive at byte 120"),
        ("truncated", Array(helloNAR.dropLast(9)), "input ends early"),
        ("non-zero padding", Array(helloNAR[..<102]) + [1] + Array(helloNAR[103...]), "non-zero padding at byte 102"),
        (
            "huge length",
            Array(helloNAR[..<88]) + [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f] + Array(helloNAR[96...]),
            "input ends early"
        ),
        (
            "huge token length", Array(helloNAR[..<24]) + [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0],
            "exceeds the limit of 64"
        ),
    ]

    @Test("malformed NARs are rejected with the byte offset and reason", arguments: malformed)
    func rejectsMalformed(name: String, bytes: [UInt8], expected: String) {
        let error = #expect(throws: NARReadError.self, "\(name)") { try parse(bytes) }
        #expect(error?.description.contains(expected) == true, "\(name): \(error?.description ?? "no error")")
        #expect(error?.description.hasPrefix("invalid NAR: ") == true)
    }

    @Test("skip consumes a token only when it is next, whole and zero-padded")
    func skipToken() throws {
        var reader = ByteReader(
            source: ArrayByteSource(NARTokens.frame(Array("regular".utf8)) + NARTokens.frame([])), bufferSize: 64)
        #expect(try reader.skip(Array("regula".utf8)) == false)
        #expect(try reader.skip(Array("regularx".utf8)) == false)
        #expect(reader.offset == 0)
        #expect(try reader.skip(Array("regular".utf8)))
        #expect(reader.offset == 16)
        #expect(try reader.skip([]))
        #expect(try reader.atEnd())

        var padded = NARTokens.frame(Array("entry".utf8))
        padded[13] = 1
        var badPadding = ByteReader(source: ArrayByteSource(padded), bufferSize: 64)
        #expect(try badPadding.skip(Array("entry".utf8)) == false)
        #expect(badPadding.offset == 0)
        #expect(throws: ByteReaderError.nonZeroPadding(offset: 13)) { try badPadding.readString(limit: 64) }

        var truncated = ByteReader(source: ArrayByteSource(Array(NARTokens.frame(Array("entry".utf8)).dropLast())))
        #expect(try truncated.skip(Array("entry".utf8)) == false)
        #expect(truncated.offset == 0)
    }

    @Test("the nesting limit is enforced")
    func depthLimit() throws {
        var tokens = ["nix-archive-1"]
        for _ in 0..<5 { tokens += ["(", "type", "directory", "entry", "(", "name", "d", "node"] }
        tokens += ["(", "type", "directory", ")"]
        for _ in 0..<5 { tokens += [")", ")"] }
        let bytes = NARTokens.archive(tokens)
        #expect(throws: Never.self) { try parse(bytes) }
        var limits = NARLimits.standard
        limits.maxDepth = 3
        let error = #expect(throws: NARReadError.self) { try parse(bytes, limits: limits) }
        #expect(error?.description.contains("nested deeper than 3") == true)
    }

    @Test("every truncation of a valid NAR is rejected, never a crash")
    func everyTruncation() {
        let bytes = NARTokens.directory([
            ["a", "node", "(", "type", "regular", "executable", "", "contents", "some contents here", ")"],
            ["b", "node", "(", "type", "symlink", "target", "a", ")"],
        ])
        for length in 0..<bytes.count {
            #expect(throws: NARReadError.self, "length \(length)") { try parse(Array(bytes[..<length])) }
        }
        #expect(throws: Never.self) { try parse(bytes) }
    }

    @Test("random byte flips are either harmless or rejected, never a crash")
    func randomFlips() {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let bytes = NARTokens.directory([
            ["a", "node", "(", "type", "regular", "contents", "0123456789abcdef", ")"],
            [
                "b", "node", "(", "type", "directory", "entry", "(", "name", "c", "node", "(", "type", "symlink",
                "target", "/x", ")", ")", ")",
            ],
        ])
        for _ in 0..<2000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            do {
                _ = try parse(mutated)
            } catch is NARReadError {
            } catch {
                Issue.record("unexpected error \(error) (seed \(seed))")
            }
        }
    }
}
