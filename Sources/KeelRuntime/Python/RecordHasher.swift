import Crypto

/// Hashes content as it streams past, with a RECORD's algorithm.
struct RecordHasher {
    private enum State {
        case sha256(SHA256)
        case sha384(SHA384)
        case sha512(SHA512)
    }

    private var state: State
    private let algorithm: RecordDigest.Algorithm

    /// A hasher for `algorithm`.
    init(_ algorithm: RecordDigest.Algorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha384: state = .sha384(SHA384())
        case .sha512: state = .sha512(SHA512())
        }
    }

    /// Feeds bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha256(hasher)
        case .sha384(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha384(hasher)
        case .sha512(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha512(hasher)
        }
    }

    /// The digest of everything fed.
    func finish() -> RecordDigest {
        switch state {
        case .sha256(let hasher): RecordDigest(algorithm: algorithm, digest: hasher.finalize())
        case .sha384(let hasher): RecordDigest(algorithm: algorithm, digest: hasher.finalize())
        case .sha512(let hasher): RecordDigest(algorithm: algorithm, digest: hasher.finalize())
        }
    }
}
