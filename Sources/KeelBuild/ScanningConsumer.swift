import KeelFileTree
import KeelFormats

/// Hashes a NAR stream and scans it for references in one pass.
struct ScanningConsumer: ChunkConsumer {
    var hashing: HashingConsumer
    var scanner: ReferenceScanner

    init(algorithm: HashAlgorithm, candidates: some Sequence<StorePath>) {
        hashing = HashingConsumer(algorithm: algorithm)
        scanner = ReferenceScanner(candidates: candidates)
    }

    mutating func consume(_ chunk: UnsafeRawBufferPointer) throws {
        try hashing.consume(chunk)
        scanner.scan(chunk)
    }

    mutating func finish() throws { try hashing.finish() }
}
