import Foundation
import KeelArchive
import KeelTesting
import Testing

@Suite("XzCompressor", .ownThreads)
struct XzCompressorTests {
    @Test("xz output is the same across chunkings and XzDecompressor reads it back")
    func roundTripsAcrossChunkings() throws {
        for (name, input, chunks) in compressorInputs(seed: testSeed()) {
            let reference = try compressed(input, with: try XzCompressor(), chunk: max(input.count, 1))
            for chunk in chunks {
                let actual = try compressed(input, with: try XzCompressor(), chunk: chunk)
                #expect(firstDifference(actual, reference) == nil, "\(name), chunks of \(chunk)")
            }
            var decompressor = try XzDecompressor(source: ChunkedMemorySource(reference, chunk: 4093))
            #expect(firstDifference(try readWholeStream(&decompressor, readSize: 65536), input) == nil, "\(name)")
        }
    }

    @Test("xz output is byte-identical to `xz -6 --check=crc64 --format=xz -T1` (Nix's xz sink settings)")
    func matchesTheXzTool() throws {
        for (name, input, _) in compressorInputs(seed: testSeed()) {
            let result = try ProcessRunner.run(
                "xz", ["-6", "--check=crc64", "--format=xz", "-T1", "-c", "-q"], input: input)
            #expect(result.status == 0, "\(name): \(result.errorOutput)")
            let actual = try compressed(input, with: try XzCompressor(), chunk: 65536)
            #expect(firstDifference(actual, result.standardOutput) == nil, "\(name)")
        }
    }

    @Test("the stream starts with the xz magic and names CRC64 as its check")
    func headerNamesCRC64() throws {
        let output = try compressed(Array("keel".utf8), with: try XzCompressor(), chunk: 4)
        #expect(Array(output.prefix(6)) == [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])
        // Stream flags: a zero byte, then the check type (0x04: CRC64).
        #expect(Array(output.dropFirst(6).prefix(2)) == [0x00, 0x04])
    }

    @Test("a finished xz compressor refuses more input")
    func finishedRefuses() throws {
        let compressor = try XzCompressor()
        try compressor.finish { _ in }
        #expect(throws: ArchiveError.self) { try [1].withUnsafeBytes { try compressor.compress($0) { _ in } } }
        #expect(throws: ArchiveError.self) { try compressor.finish { _ in } }
    }
}
