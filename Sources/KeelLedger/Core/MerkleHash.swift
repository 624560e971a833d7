import Crypto

/// The hash functions of an RFC 9162 (Certificate Transparency v2) Merkle tree over SHA-256,
/// with its domain separation: a leaf is hashed behind a 0x00 byte and an interior node
/// behind 0x01, so no leaf can pose as a node.
public enum MerkleHash {
    /// The root of the empty tree: SHA-256 of no bytes.
    public static let emptyRoot = LedgerHash(digest: SHA256.hash(data: [UInt8]()))

    /// `SHA-256(0x00 ‖ data)`.
    public static func leaf(_ data: UnsafeRawBufferPointer) -> LedgerHash {
        var hasher = SHA256()
        hasher.update(data: [0x00] as [UInt8])
        hasher.update(bufferPointer: data)
        return LedgerHash(digest: hasher.finalize())
    }

    /// `SHA-256(0x00 ‖ data)`.
    public static func leaf(_ data: [UInt8]) -> LedgerHash {
        data.withUnsafeBytes { leaf($0) }
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func node(_ left: LedgerHash, _ right: LedgerHash) -> LedgerHash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = 0x01
            left.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[1..<33]).copyMemory(from: $0) }
            right.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[33..<65]).copyMemory(from: $0) }
            return LedgerHash(digest: SHA256.hash(data: UnsafeRawBufferPointer(buffer)))
        }
    }

    /// The largest power of two strictly below `count` (RFC 9162's split point `k`).
    ///
    /// - Important: `count` must be at least 2.
    public static func split(_ count: UInt64) -> UInt64 {
        precondition(count >= 2, "only a tree of two or more leaves splits")
        return UInt64(1) << (63 - (count - 1).leadingZeroBitCount)
    }

    /// The root of the tree over `leaves` (`MTH` in RFC 9162), computed directly.
    public static func root(of leaves: some Collection<LedgerHash>) -> LedgerHash {
        var range = CompactRange()
        for leaf in leaves { range.append(leaf) }
        return range.root
    }
}
