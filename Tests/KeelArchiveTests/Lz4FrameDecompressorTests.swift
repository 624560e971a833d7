import Foundation
import KeelArchive
import KeelTesting
import Testing

/// Bytes in memory handed out at most `chunk` at a time, so that the decoder sees its input
/// split at every possible place.
private struct Lz4TestBytes: ByteSource {
    private let bytes: [UInt8]
    private let chunk: Int
    private var offset = 0

    init(_ bytes: [UInt8], chunk: Int) {
        self.bytes = bytes
        self.chunk = chunk
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let count = min(buffer.count, chunk, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count])) }
        offset += count
        return count
    }
}

/// The reference is the lz4 tool where it is installed (the tests that need it say so when it
/// is not), and apt's own reader of its lists (`apt-helper cat-file`) always.
@Suite("Lz4FrameDecompressor against the lz4 tool and apt", .ownThreads)
struct Lz4FrameDecompressorTests {
    static let lz4 = "/usr/bin/lz4"
    static let toolInstalled = FileManager.default.isExecutableFile(atPath: lz4)
    static let toolMissing: Comment = "needs the lz4 tool as the reference (apt-get install lz4)"

    /// `lz4` run on `input` (stdin to stdout) with `arguments`; its stdout.
    static func lz4(_ arguments: [String], _ input: [UInt8]) throws -> [UInt8] {
        let result = try ProcessRunner.run(lz4, ["-q", "-c"] + arguments, input: input)
        try #require(result.status == 0, "lz4 \(arguments) failed: \(result.errorOutput)")
        return result.standardOutput
    }

    static func decompress(_ compressed: [UInt8], chunk: Int = 1 << 20, readSize: Int = 64 * 1024)
        throws(ArchiveError) -> [UInt8]
    {
        let decompressor = try Lz4FrameDecompressor(source: Lz4TestBytes(compressed, chunk: chunk))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)
        defer { buffer.deallocate() }
        var output: [UInt8] = []
        while case let count = try decompressor.read(into: buffer), count > 0 { output += buffer[..<count] }
        return output
    }

    /// Random bytes interleaved with runs of repeated text, so that frames hold both
    /// uncompressed and compressed blocks.
    static func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var data: [UInt8] = []
        data.reserveCapacity(count)
        let text = Array("Package: python3.11-minimal\nVersion: 3.11.2-6+deb12u9\n".utf8)
        while data.count < count {
            if Bool.random(using: &generator) {
                data += generator.bytes(Int.random(in: 1...3000, using: &generator))
            } else {
                for _ in 0..<Int.random(in: 1...200, using: &generator) { data += text }
            }
        }
        return Array(data.prefix(count))
    }

    @Test(
        "decompresses what lz4 makes, whatever its frame options", .enabled(if: toolInstalled, toolMissing),
        arguments: [
            ["-1"], ["-9"], ["-B4"], ["-B4", "-BD"], ["-B5", "-BX"], ["--content-size"], ["--no-frame-crc", "-B6"],
            ["-B7", "-BD", "-BX", "--content-size"],
        ])
    func framesOfEveryKind(options: [String]) throws {
        let seed = testSeed()
        let data = Self.sample(600_000, seed: seed)
        let compressed = try Self.lz4(options, data)
        #expect(try Self.decompress(compressed) == data, "seed \(seed)")
        #expect(try Self.decompress(compressed, chunk: 1, readSize: 7) == data, "seed \(seed)")
        #expect(try Self.decompress(compressed, chunk: 4093, readSize: 1) == Array(data), "seed \(seed)")
    }

    @Test("empty input is an empty stream; input that is not lz4 is refused")
    func emptyOrNotLz4() throws {
        #expect(try Self.decompress([]) == [])
        do {
            _ = try Self.decompress(Array("not lz4 at all".utf8))
            Issue.record("plain text was accepted as lz4")
        } catch {
            #expect(error.description == "lz4: not an lz4 frame", "\(error)")
        }
    }

    @Test("an empty frame", .enabled(if: toolInstalled, toolMissing))
    func emptyFrame() throws {
        #expect(try Self.decompress(try Self.lz4([], [])) == [])
    }

    @Test(
        "concatenated frames and skippable frames are one stream, as lz4 -d reads them",
        .enabled(if: toolInstalled, toolMissing))
    func concatenated() throws {
        let first = Self.sample(70_000, seed: 1)
        let second = Self.sample(5_000, seed: 2)
        let skippable: [UInt8] = [0x52, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]
        let stream = try Self.lz4([], first) + skippable + (try Self.lz4(["-BD"], second))
        #expect(try Self.decompress(stream, chunk: 3) == first + second)
        #expect(try Self.lz4(["-d"], stream) == first + second)
    }

    @Test(
        "a truncated stream, trailing garbage and a corrupt block are refused", .enabled(if: toolInstalled, toolMissing)
    )
    func refused() throws {
        let data = Self.sample(200_000, seed: 3)
        let compressed = try Self.lz4(["-BX"], data)
        for cut in [1, 5, compressed.count / 2, compressed.count - 1] {
            #expect(throws: ArchiveError.self, "cut at \(cut)") {
                _ = try Self.decompress(Array(compressed.prefix(cut)))
            }
        }
        #expect(throws: ArchiveError.self) { _ = try Self.decompress(compressed + [0x50, 0x4b, 0x03, 0x04, 0]) }
        #expect(throws: ArchiveError.self) { _ = try Self.decompress(compressed + [0x04, 0x22]) }
        var corrupt = compressed
        corrupt[compressed.count / 2] ^= 0x40
        #expect(throws: ArchiveError.self) { _ = try Self.decompress(corrupt) }
    }

    @Test("reads apt's own lists as apt-helper does")
    func aptLists() throws {
        let directory = "/var/lib/apt/lists"
        let lists = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.contains("_Packages") }.map { "\(directory)/\($0)" }
        try #require(!lists.isEmpty, "no *_Packages list in \(directory): run `apt-get update` first")
        // The smallest list keeps the test quick.
        let sized = try lists.map { (path: $0, size: try Self.size($0)) }
        let smallest = try #require(sized.min { $0.size < $1.size }?.path)
        var file = smallest
        let temporary = try TemporaryDirectory(prefix: "keel-lz4")
        defer { temporary.remove() }
        if !smallest.hasSuffix(".lz4") {
            // This host keeps its lists otherwise: compress one with the lz4 tool, as apt would.
            try #require(Self.toolInstalled, "the host's lists are not lz4: \(Self.toolMissing)")
            file = temporary.appending("host_Packages.lz4")
            try Data(try Self.lz4([], try Self.aptHelperCat(smallest))).write(to: URL(fileURLWithPath: file))
        }
        let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(try Self.decompress(compressed) == (try Self.aptHelperCat(file)))
    }

    static func size(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }

    /// The file decompressed by apt itself (it picks the format from the name).
    static func aptHelperCat(_ path: String) throws -> [UInt8] {
        let result = try ProcessRunner.run("/usr/lib/apt/apt-helper", ["cat-file", path])
        try #require(result.status == 0, "apt-helper cat-file \(path): \(result.errorOutput)")
        return result.standardOutput
    }
}
