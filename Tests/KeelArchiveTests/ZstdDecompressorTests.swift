import KeelArchive
import KeelTesting
import Testing

/// Bytes in memory handed out at most `chunk` at a time, so that a decoder sees its input
/// split at every possible place.
struct ChunkedMemorySource: ByteSource {
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

/// Reads everything `source` yields through a buffer of `readSize` bytes.
func readWholeStream(_ source: inout some ByteSource, readSize: Int) throws(ArchiveError) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)
    defer { buffer.deallocate() }
    var output: [UInt8] = []
    while case let count = try source.read(into: buffer), count > 0 { output += buffer[..<count] }
    return output
}

@Suite("ZstdDecompressor against the zstd tool", .ownThreads)
struct ZstdDecompressorTests {
    /// `zstd` run on `input` (stdin to stdout); its stdout, or nil when it failed.
    static func zstd(_ arguments: [String], _ input: [UInt8]) throws -> [UInt8]? {
        let result = try ProcessRunner.run("/usr/bin/zstd", ["-q", "-c"] + arguments, input: input)
        return result.status == 0 ? result.standardOutput : nil
    }

    static func compress(_ data: [UInt8], _ options: [String] = ["-3"]) throws -> [UInt8] {
        try #require(try zstd(options, data))
    }

    static func decompress(_ compressed: [UInt8], chunk: Int = 1 << 20, readSize: Int = 64 * 1024)
        throws(ArchiveError) -> [UInt8]
    {
        var decompressor = try ZstdDecompressor(source: ChunkedMemorySource(compressed, chunk: chunk))
        return try readWholeStream(&decompressor, readSize: readSize)
    }

    /// Random bytes interleaved with runs of repeated text, so that frames hold raw,
    /// compressed and long-distance-match blocks.
    static func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var data: [UInt8] = []
        data.reserveCapacity(count)
        let text = Array("the quick brown fox jumps over the lazy dog; ".utf8)
        while data.count < count {
            let random = generator.bytes(Int(generator.next() % 50_000))
            data += random
            data += Array(repeating: text, count: Int(generator.next() % 2_000)).joined()
            data += random.prefix(Int(generator.next() % 20_000))
        }
        return Array(data.prefix(count))
    }

    @Test(
        "Decompresses what zstd compressed, as zstd -d does",
        arguments: [
            (0, ["-1"]), (1, ["-3"]), (70_000, ["-19"]), (3_000_000, ["-1"]), (3_000_000, ["-9", "--long=27"]),
            (500_000, ["-3", "--no-check"]), (200_000, ["--ultra", "-22"]),
        ])
    func matchesZstd(size: Int, options: [String]) throws {
        let data = Self.sample(size, seed: UInt64(size) &+ testSeed())
        let compressed = try Self.compress(data, options)
        #expect(try Self.zstd(["-d"], compressed) == data)
        #expect(try Self.decompress(compressed) == data)
        #expect(try Self.decompress(compressed, chunk: 7, readSize: 5_000) == data)
        #expect(try Self.decompress(compressed, readSize: 1 << 20) == data)
    }

    @Test("Reads the input and writes the output one byte at a time")
    func byteByByte() throws {
        let data = Self.sample(40_000, seed: testSeed())
        let compressed = try Self.compress(data)
        #expect(try Self.decompress(compressed, chunk: 1, readSize: 1) == data)
    }

    @Test("Concatenated frames, empty frames and skippable frames are one stream, as zstd -d reads them")
    func multipleFrames() throws {
        let first = Self.sample(300_000, seed: 1)
        let second = Self.sample(123_457, seed: 2)
        let skippable: [UInt8] = [0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0] + Array("hello".utf8)
        let stream =
            try Self.compress(first, ["-5"]) + Self.compress([]) + skippable
            + Self.compress(second, ["-1", "--no-check"])
            + Self.compress(first.prefix(10).map { $0 })
        let expected = first + second + first.prefix(10)
        #expect(try Self.zstd(["-d"], stream) == expected)
        #expect(try Self.decompress(stream) == expected)
        #expect(try Self.decompress(stream, chunk: 3, readSize: 777) == expected)
    }

    @Test("A corrupt, truncated, garbage-trailed, foreign or empty input is an error, as zstd -d finds it")
    func refusals() throws {
        let data = Self.sample(200_000, seed: 3)
        let compressed = try Self.compress(data)
        var corrupt = compressed
        corrupt[corrupt.count / 2] ^= 0x55
        let cases: [(input: [UInt8], message: String)] = [
            (corrupt, "zstd: corrupt data"),
            (Array(compressed.dropLast(5)), "zstd: the compressed stream is truncated"),
            (Array(compressed.prefix(3)), "zstd: the compressed stream is truncated"),
            (compressed + Array("garbage".utf8), "zstd: trailing garbage after the compressed stream"),
            (compressed + [0, 0, 0, 0], "zstd: trailing garbage after the compressed stream"),
            (Array("plain text, not zstd".utf8), "zstd: not a zstd stream"),
            ([], "zstd: the input is empty"),
        ]
        for (input, message) in cases {
            #expect(try Self.zstd(["-d"], input) == nil, "zstd -d accepted what Keel must refuse (\(message))")
            for chunk in [1 << 20, 5] {
                let error = #expect(throws: ArchiveError.self) { try Self.decompress(input, chunk: chunk) }
                #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "no error")")
            }
        }
    }
}
