import Crypto

/// An incremental hash over any `HashAlgorithm`.
///
/// A value type: copying it forks the running state.
public struct StreamingHasher: Sendable {
    private enum State: Sendable {
        case md5(Insecure.MD5)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var state: State

    /// The algorithm this hasher computes.
    public let algorithm: HashAlgorithm

    /// Starts a new hash.
    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .md5: state = .md5(Insecure.MD5())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    /// Feeds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .md5(var h):
            h.update(bufferPointer: bytes)
            state = .md5(h)
        case .sha1(var h):
            h.update(bufferPointer: bytes)
            state = .sha1(h)
        case .sha256(var h):
            h.update(bufferPointer: bytes)
            state = .sha256(h)
        case .sha512(var h):
            h.update(bufferPointer: bytes)
            state = .sha512(h)
        }
    }

    /// Feeds the bytes of a collection.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Ends the hash and returns it.
    public func finalize() -> NixHash {
        let digest: [UInt8]
        switch state {
        case .md5(let h): digest = Array(h.finalize())
        case .sha1(let h): digest = Array(h.finalize())
        case .sha256(let h): digest = Array(h.finalize())
        case .sha512(let h): digest = Array(h.finalize())
        }
        return NixHash(algorithm: algorithm, digest: digest)!
    }

    /// Hashes bytes in one call.
    public static func hash(_ algorithm: HashAlgorithm, _ bytes: some Sequence<UInt8>) -> NixHash {
        var hasher = StreamingHasher(algorithm)
        hasher.update(bytes)
        return hasher.finalize()
    }
}
