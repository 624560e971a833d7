import Foundation
import KeelArchive
import KeelTesting
import Testing

/// Compresses `input` with `compressor`, fed `chunk` bytes at a time.
func compressed(_ input: [UInt8], with compressor: some StreamCompressor, chunk: Int) throws -> [UInt8] {
    var compressor = compressor
    var output: [UInt8] = []
    try input.withUnsafeBytes { bytes in
        if bytes.isEmpty { try compressor.compress(bytes) { output += $0 } }
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            try compressor.compress(UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + chunk, bytes.count)])) {
                output += $0
            }
        }
    }
    try compressor.finish { output += $0 }
    return output
}

/// Where two byte strings first differ (an offset, or "length" when one is a prefix of the
/// other); nil when they are equal. Keeps failure messages short for megabyte outputs.
func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
    if actual == expected { return nil }
    if let offset = actual.indices.first(where: { $0 < expected.count && actual[$0] != expected[$0] }) {
        return "offset \(offset): \(actual[offset]) instead of \(expected[offset])"
    }
    return "length \(actual.count) instead of \(expected.count)"
}

/// The inputs the compressors are checked with: empty, small, 3 MiB random and 3 MiB of
/// compressible text, each with the chunk sizes it is fed in.
func compressorInputs(seed: UInt64) -> [(name: String, bytes: [UInt8], chunks: [Int])] {
    var random = SeededGenerator(seed: seed)
    let words = ["keel ", "store ", "layer ", "nix ", "tar ", "\n", "0123 ", "oci "]
    var text: [UInt8] = []
    while text.count < 3 << 20 { text += Array(words.randomElement(using: &random)!.utf8) }
    return [
        ("empty", [], [1]),
        ("small", Array("hello, hello, hello keel\n".utf8), [1, 3, 1000]),
        ("random", random.bytes(3 << 20), [4093, 65537, 3 << 20]),
        ("text", text, [1, 777, 1 << 20]),
    ]
}

@Suite("GzipCompressor and ZstdCompressor", .ownThreads)
struct StreamCompressorTests {
    @Test("gzip output is byte-identical to Python's gzip.GzipFile(mtime=0, compresslevel=6)")
    func gzipMatchesPython() throws {
        let directory = try TemporaryDirectory(prefix: "keel-gzip")
        defer { directory.remove() }
        let program = #"""
            import gzip, sys
            data = open(sys.argv[1], "rb").read()
            with open(sys.argv[2], "wb") as out:
                with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as z:
                    z.write(data)
            """#
        for (name, input, chunks) in compressorInputs(seed: testSeed()) {
            let inputPath = directory.appending(name)
            let outputPath = directory.appending(name + ".gz")
            try TestFiles.write(inputPath, input)
            let result = try ProcessRunner.run("python3", ["-c", program, inputPath, outputPath])
            #expect(result.status == 0, "\(result.errorOutput)")
            let expected = Array(try Data(contentsOf: URL(fileURLWithPath: outputPath)))
            for chunk in chunks {
                let actual = try compressed(input, with: try GzipCompressor(), chunk: chunk)
                #expect(firstDifference(actual, expected) == nil, "\(name), chunks of \(chunk)")
            }
            var decompressor = try GzipDecompressor(source: ChunkedMemorySource(expected, chunk: 4096))
            #expect(firstDifference(try readWholeStream(&decompressor, readSize: 65536), input) == nil)
        }
    }

    @Test(
        "zstd output is the same across runs and chunkings, with a checksum and no content size, and zstd -d reads it")
    func zstdIsStableAndReadable() throws {
        for (name, input, chunks) in compressorInputs(seed: testSeed()) {
            let reference = try compressed(input, with: try ZstdCompressor(), chunk: max(input.count, 1))
            let again = try compressed(input, with: try ZstdCompressor(), chunk: max(input.count, 1))
            #expect(firstDifference(again, reference) == nil, "\(name): a second run")
            for chunk in chunks {
                let actual = try compressed(input, with: try ZstdCompressor(), chunk: chunk)
                #expect(firstDifference(actual, reference) == nil, "\(name), chunks of \(chunk)")
            }
            // Frame header descriptor: no content size field, not single-segment, checksum on.
            let descriptor = try #require(reference.dropFirst(4).first)
            #expect(descriptor & 0xe0 == 0 && descriptor & 0x04 != 0, "\(name): descriptor \(descriptor)")
            let result = try ProcessRunner.run("zstd", ["-d", "-c", "-q"], input: reference)
            #expect(result.status == 0, "\(name): \(result.errorOutput)")
            #expect(firstDifference(result.standardOutput, input) == nil, "\(name)")
            var decompressor = try ZstdDecompressor(source: ChunkedMemorySource(reference, chunk: 4096))
            #expect(firstDifference(try readWholeStream(&decompressor, readSize: 65536), input) == nil)
        }
    }

    @Test("a finished compressor refuses more input")
    func finishedRefuses() throws {
        let compressors: [any StreamCompressor] = [try GzipCompressor(), try ZstdCompressor()]
        for compressor in compressors {
            var compressor = compressor
            try compressor.finish { _ in }
            #expect(throws: ArchiveError.self) { try [1].withUnsafeBytes { try compressor.compress($0) { _ in } } }
            #expect(throws: ArchiveError.self) { try compressor.finish { _ in } }
        }
    }
}
