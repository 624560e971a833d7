import Foundation
import KeelArchive
import KeelTesting
import Testing

/// An archive written into memory.
struct ByteArrayOutput: TarOutput {
    var bytes: [UInt8] = []

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes += bytes }
}

/// A member for the writer tests, with the content its size implies (`TarWriterOracle.content`).
struct WriterCase {
    var member: TarMember
    var seed: Int = 0

    var json: [String: Any] {
        var object: [String: Any] = ["path": TarWriterOracle.hex(member.path), "mode": Int(member.mode), "seed": seed]
        switch member.kind {
        case .directory: object["type"] = "dir"
        case .regularFile(let size):
            object["type"] = "file"
            object["size"] = Int(size)
        case .symlink(let target):
            object["type"] = "symlink"
            object["target"] = TarWriterOracle.hex(target)
        }
        return object
    }
}

/// Python's tarfile writing the same members, the reference the writer is compared against.
enum TarWriterOracle {
    /// argv[1]: a JSON spec with the formatting (`mtime`, `uid`, `gid`, `uname`, `gname`),
    /// `members` (`path` and `target` in hex UTF-8, `type`, `mode`, `size`, `seed`), `out`, and
    /// `headers`: when true, only each member's `TarInfo.tobuf` is written (no content).
    static let program = #"""
        import io, json, sys, tarfile

        spec = json.load(open(sys.argv[1]))

        def info_for(member):
            info = tarfile.TarInfo(bytes.fromhex(member["path"]).decode("utf-8"))
            info.mtime, info.uid, info.gid = spec["mtime"], spec["uid"], spec["gid"]
            info.uname, info.gname = spec["uname"], spec["gname"]
            info.mode = member["mode"]
            if member["type"] == "dir":
                info.type = tarfile.DIRTYPE
            elif member["type"] == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = bytes.fromhex(member["target"]).decode("utf-8")
            else:
                info.size = member["size"]
            return info

        def content(member):
            return bytes((member["seed"] + i * 31) % 251 for i in range(member["size"]))

        if spec["headers"]:
            out = b"".join(info_for(m).tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape") for m in spec["members"])
        else:
            raw = io.BytesIO()
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for member in spec["members"]:
                    info = info_for(member)
                    tar.addfile(info, io.BytesIO(content(member)) if member["type"] == "file" else None)
            out = raw.getvalue()
        open(spec["out"], "wb").write(out)
        """#

    /// The content of a file member of `size` bytes made from `seed`, as the program makes it.
    static func content(size: UInt64, seed: Int) -> [UInt8] {
        (0..<Int(size)).map { UInt8((seed + $0 * 31) % 251) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Python's bytes for `cases`: the whole archive, or (`headersOnly`) the headers alone.
    static func bytes(
        _ cases: [WriterCase], formatting: TarFormatting = TarFormatting(), headersOnly: Bool = false
    ) throws -> [UInt8] {
        let directory = try TemporaryDirectory(prefix: "keel-tar-writer")
        defer { directory.remove() }
        let spec: [String: Any] = [
            "mtime": formatting.modificationTime, "uid": formatting.userID, "gid": formatting.groupID,
            "uname": formatting.userName, "gname": formatting.groupName, "members": cases.map(\.json),
            "out": directory.appending("out"), "headers": headersOnly,
        ]
        let specPath = directory.appending("spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        let result = try ProcessRunner.run("python3", ["-c", program, specPath])
        guard result.status == 0 else { throw PythonFailure(message: result.errorOutput) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: directory.appending("out"))))
    }
}

@Suite("TarWriter and TarHeaderEncoder", .ownThreads)
struct TarWriterTests {
    /// The archive `TarWriter` writes for `cases`, handing each file's content over in `chunk`-byte
    /// pieces through `addStreamedFile` (nil: all at once).
    func written(_ cases: [WriterCase], formatting: TarFormatting = TarFormatting(), chunk: Int? = nil) throws
        -> [UInt8]
    {
        var writer = TarWriter(output: ByteArrayOutput(), formatting: formatting)
        for item in cases {
            guard case .regularFile(let size) = item.member.kind else {
                try writer.add(item.member)
                continue
            }
            let content = TarWriterOracle.content(size: size, seed: item.seed)
            if let chunk {
                try writer.addStreamedFile(item.member) { write in
                    try content.withUnsafeBytes { bytes in
                        for start in stride(from: 0, to: bytes.count, by: chunk) {
                            try write(UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + chunk, bytes.count)]))
                        }
                    }
                }
            } else {
                try content.withUnsafeBytes { try writer.addFile(item.member, contents: $0) }
            }
        }
        try writer.finish()
        #expect(writer.bytesWritten == UInt64(writer.output.bytes.count))
        return writer.output.bytes
    }

    static func member(_ path: String, _ kind: TarMember.Kind, mode: UInt32 = 0o644) -> TarMember {
        TarMember(path: Array(path.utf8), kind: kind, mode: mode)
    }

    /// The edge cases named in the task: names of 99 to 101 bytes (directories get a "/"),
    /// long and non-ASCII names and link targets, sticky and set-id modes, sizes around blocks.
    static var edgeCases: [WriterCase] {
        var cases: [WriterCase] = []
        for length in [99, 100, 101, 150, 255] {
            let name = String(repeating: "n", count: length - 2) + "/x"
            cases.append(WriterCase(member: member(name, .directory, mode: 0o755)))
            cases.append(WriterCase(member: member(name + "f", .regularFile(size: 3)), seed: length))
            cases.append(WriterCase(member: member(String(name.dropLast(2)) + "ab", .regularFile(size: 0))))
        }
        cases += [
            WriterCase(member: member("tmp", .directory, mode: 0o1777)),
            WriterCase(member: member("setuid", .regularFile(size: 1), mode: 0o4755), seed: 9),
            WriterCase(member: member("typebits", .regularFile(size: 0), mode: 0o100644)),
            WriterCase(member: member("café/naïve name", .regularFile(size: 511))),
            WriterCase(member: member("日本語/ファイル 🎉", .regularFile(size: 512))),
            WriterCase(
                member: member("link", .symlink(target: Array(String(repeating: "t/", count: 70).utf8)), mode: 0o777)),
            WriterCase(member: member("é", .symlink(target: Array("ü".utf8)), mode: 0o777)),
            WriterCase(member: member("with space", .symlink(target: Array(String(repeating: "a", count: 100).utf8)))),
            WriterCase(member: member("exactly", .symlink(target: Array(String(repeating: "b", count: 101).utf8)))),
            WriterCase(member: member(String(repeating: "é", count: 60), .regularFile(size: 513))),
            WriterCase(member: member("1024", .regularFile(size: 1024)), seed: 3),
            WriterCase(member: member("new\nline", .regularFile(size: 1025)), seed: 4),
        ]
        return cases
    }

    /// A seeded random list: nested names from plain, spaced and non-ASCII components (some
    /// long), empty directories, files of sizes around multiples of 512, symlinks with long targets.
    static func randomCases(seed: UInt64) -> [WriterCase] {
        var random = SeededGenerator(seed: seed)
        let components = [
            "a", "bin", "lib64", "with space", "ünïcødé", "日本", "🎉", "x.y-z_1", "...", "-dash",
            String(repeating: "long", count: 20), String(repeating: "é", count: 40),
        ]
        let sizes: [UInt64] = [0, 1, 100, 511, 512, 513, 1023, 1024, 1025, 4096, 10239, 10240, 10241]
        let modes: [UInt32] = [0o644, 0o755, 0o600, 0o1777, 0o2755, 0o444]
        var cases: [WriterCase] = []
        for _ in 0..<Int.random(in: 20...60, using: &random) {
            let depth = Int.random(in: 1...4, using: &random)
            let path = (0..<depth).map { _ in components.randomElement(using: &random)! }.joined(separator: "/")
            let kind: TarMember.Kind
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<3: kind = .directory
            case 3..<5:
                let target = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                    components.randomElement(using: &random)!
                }
                kind = .symlink(target: Array(target.joined(separator: "/").utf8))
            default:
                let size =
                    Bool.random(using: &random)
                    ? sizes.randomElement(using: &random)! : UInt64.random(in: 0...5000, using: &random)
                kind = .regularFile(size: size)
            }
            let mode = kind == .directory ? 0o755 : modes.randomElement(using: &random)!
            cases.append(
                WriterCase(member: member(path, kind, mode: mode), seed: Int.random(in: 0..<251, using: &random)))
        }
        return cases
    }

    @Test("edge cases are byte-identical to Python's tarfile (PAX format)")
    func edgeCasesMatchPython() throws {
        let cases = Self.edgeCases
        let expected = try TarWriterOracle.bytes(cases)
        #expect(firstDifference(try written(cases), expected) == nil)
        #expect(firstDifference(try written(cases, chunk: 7), expected) == nil)
        #expect(expected.count % 10240 == 0)
    }

    @Test("seeded random member lists are byte-identical to Python's tarfile", arguments: 0..<4)
    func randomListsMatchPython(round: Int) throws {
        let seed = testSeed() &+ UInt64(round)
        let cases = Self.randomCases(seed: seed)
        let expected = try TarWriterOracle.bytes(cases)
        let actual = try written(cases, chunk: 333)
        #expect(firstDifference(actual, expected) == nil, "seed \(seed) (KEEL_TEST_SEED=\(seed) repeats it)")
    }

    @Test("values beyond the ustar fields go into pax records, as Python writes them")
    func paxNumbersAndOwnerNames() throws {
        let formats = [
            TarFormatting(modificationTime: -5, userID: 1 << 21, groupID: 7, userName: "ü", groupName: "root"),
            TarFormatting(
                modificationTime: 1 << 33, userID: 0, groupID: (1 << 21) - 1,
                userName: String(repeating: "u", count: 33), groupName: String(repeating: "g", count: 32)),
            TarFormatting(modificationTime: (1 << 33) - 1),
        ]
        let cases = [
            WriterCase(member: Self.member("big", .regularFile(size: 1 << 33))),
            WriterCase(member: Self.member("below", .regularFile(size: (1 << 33) - 1))),
            WriterCase(member: Self.member("d", .directory)),
        ]
        for formatting in formats {
            let expected = try TarWriterOracle.bytes(cases, formatting: formatting, headersOnly: true)
            let actual = try cases.flatMap { try TarHeaderEncoder.encode($0.member, formatting: formatting) }
            #expect(firstDifference(actual, expected) == nil, "\(formatting)")
        }
    }

    @Test("an archive reads back through TarReader with the names, kinds, modes and contents written")
    func readsBack() throws {
        let cases = Self.edgeCases + Self.randomCases(seed: 7)
        let archive = try written(cases)
        let reader = TarReader(source: ChunkedMemorySource(archive, chunk: 1000))
        var chunk = [UInt8](repeating: 0, count: 300)
        for item in cases {
            let entry = try #require(try reader.next())
            var content: [UInt8] = []
            while case let count = try chunk.withUnsafeMutableBytes({ try reader.readContent(into: $0) }), count > 0 {
                content += chunk[..<count]
            }
            #expect(entry.mode == item.member.mode & 0o7777)
            #expect(entry.modificationTime == 1 && entry.userID == 0 && entry.groupID == 0)
            switch item.member.kind {
            case .directory:
                #expect(entry.kind == .directory && entry.path == item.member.path + Array("/".utf8))
            case .regularFile(let size):
                #expect(entry.kind == .regularFile && entry.path == item.member.path)
                #expect(content == TarWriterOracle.content(size: size, seed: item.seed))
            case .symlink(let target):
                #expect(entry.kind == .symbolicLink && entry.path == item.member.path && entry.linkTarget == target)
            }
        }
        #expect(try reader.next() == nil)
    }

    @Test("padding and trailer lengths")
    func lengths() {
        #expect(TarHeaderEncoder.paddingLength(forContentSize: 0) == 0)
        #expect(TarHeaderEncoder.paddingLength(forContentSize: 1) == 511)
        #expect(TarHeaderEncoder.paddingLength(forContentSize: 512) == 0)
        #expect(TarHeaderEncoder.paddingLength(forContentSize: (1 << 33) + 3) == 509)
        #expect(TarHeaderEncoder.trailerLength(afterWriting: 0) == 10240)
        #expect(TarHeaderEncoder.trailerLength(afterWriting: 512) == 9728)
        #expect(TarHeaderEncoder.trailerLength(afterWriting: 9216) == 1024)
        #expect(TarHeaderEncoder.trailerLength(afterWriting: 9728) == 1024 + 9728)
        #expect(TarHeaderEncoder.trailerLength(afterWriting: 10240) == 10240)
    }

    @Test("file content shorter or longer than declared is refused, and the writer then refuses more")
    func contentSizeChecked() throws {
        let file = Self.member("f", .regularFile(size: 4))
        for given in [3, 5] {
            var writer = TarWriter(output: ByteArrayOutput())
            let content = [UInt8](repeating: 1, count: given)
            #expect(throws: ArchiveError.self) {
                try content.withUnsafeBytes { try writer.addFile(file, contents: $0) }
            }
            #expect(writer.bytesWritten == 0)
            for pieces in [[given], [2, given - 2], [1, 1, 1, given - 3]] {
                var streaming = TarWriter(output: ByteArrayOutput())
                let error = #expect(throws: ArchiveError.self) {
                    try streaming.addStreamedFile(file) { write in
                        for piece in pieces {
                            try [UInt8](repeating: 1, count: piece).withUnsafeBytes { try write($0) }
                        }
                    }
                }
                #expect(error?.description.contains("'f'") == true)
                #expect(streaming.bytesWritten <= 512 + 4, "excess content is refused before it is written")
                #expect(throws: ArchiveError.self) { try streaming.add(Self.member("d", .directory)) }
                #expect(throws: ArchiveError.self) { try streaming.finish() }
            }
        }
    }

    @Test("bad members and misuse are refused with the member named")
    func refusals() throws {
        let bad: [TarMember] = [
            TarMember(path: [], kind: .directory, mode: 0o755),
            TarMember(path: Array("/abs".utf8), kind: .directory, mode: 0o755),
            TarMember(path: Array("dir/".utf8), kind: .directory, mode: 0o755),
            TarMember(path: [0x61, 0, 0x62], kind: .directory, mode: 0o755),
            TarMember(path: [0x61, 0xff, 0x62], kind: .regularFile(size: 0), mode: 0o644),
            TarMember(path: Array("l".utf8), kind: .symlink(target: [0xc3]), mode: 0o777),
            TarMember(path: Array("l".utf8), kind: .symlink(target: []), mode: 0o777),
        ]
        for member in bad {
            #expect(throws: ArchiveError.self) { try TarHeaderEncoder.encode(member, formatting: TarFormatting()) }
        }
        let nulOwner = TarFormatting(userName: "ro\u{0}ot")
        #expect(throws: ArchiveError.self) {
            try TarHeaderEncoder.encode(Self.member("d", .directory), formatting: nulOwner)
        }
        var writer = TarWriter(output: ByteArrayOutput())
        #expect(throws: ArchiveError.self) { try writer.add(Self.member("f", .regularFile(size: 1))) }
        #expect(throws: ArchiveError.self) { try writer.addFile(Self.member("d", .directory)) { _ in } }
        try writer.add(Self.member("empty", .regularFile(size: 0)))
        try writer.finish()
        #expect(throws: ArchiveError.self) { try writer.finish() }
        #expect(writer.output.bytes.count == 10240)
    }

    @Test("the caller-written content call counts the declared size and pads after it")
    func callerWrittenContent() throws {
        let cases = [
            WriterCase(member: Self.member("a", .regularFile(size: 700)), seed: 1),
            WriterCase(member: Self.member("b", .regularFile(size: 0))),
        ]
        var writer = TarWriter(output: ByteArrayOutput())
        for item in cases {
            guard case .regularFile(let size) = item.member.kind else { continue }
            try writer.addFile(item.member) { output in
                try TarWriterOracle.content(size: size, seed: item.seed).withUnsafeBytes { try output.write($0) }
            }
        }
        try writer.finish()
        #expect(writer.bytesWritten == 10240)
        #expect(firstDifference(writer.output.bytes, try written(cases)) == nil)
    }
}
