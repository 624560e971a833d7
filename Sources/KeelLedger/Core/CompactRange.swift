/// The right edge of a Merkle tree being built leaf by leaf: the roots of its perfect
/// subtrees, largest first (one per set bit of the size). Enough to append the next leaf, to
/// compute the root of the tree so far, and to say which perfect nodes each leaf completes.
public struct CompactRange: Sendable, Equatable {
    /// The number of leaves appended so far.
    public private(set) var size: UInt64 = 0
    /// The perfect subtree roots, from the largest (leftmost) to the smallest (rightmost).
    public private(set) var peaks: [LedgerHash] = []

    /// An empty range.
    public init() {}

    /// A range of `size` leaves whose perfect subtree roots are `peaks`, largest first.
    ///
    /// - Returns: `nil` when the number of peaks is not the number of set bits of `size`.
    public init?(size: UInt64, peaks: [LedgerHash]) {
        guard peaks.count == size.nonzeroBitCount else { return nil }
        self.size = size
        self.peaks = peaks
    }

    /// Appends a leaf hash, calling `completed` for every perfect node it completes, lowest
    /// level first (level 0 is the leaf itself).
    ///
    /// - Parameters:
    ///   - leaf: the leaf's hash (`MerkleHash.leaf` of its data).
    ///   - completed: receives the level and the node's hash.
    public mutating func append(_ leaf: LedgerHash, completed: (Int, LedgerHash) -> Void = { _, _ in }) {
        var node = leaf
        var level = 0
        completed(0, node)
        var merged = size
        while merged & 1 == 1 {
            node = MerkleHash.node(peaks.removeLast(), node)
            level += 1
            completed(level, node)
            merged >>= 1
        }
        peaks.append(node)
        size += 1
    }

    /// The root of the tree over every leaf appended (`MerkleHash.emptyRoot` when none).
    public var root: LedgerHash {
        guard var root = peaks.last else { return MerkleHash.emptyRoot }
        for peak in peaks.dropLast().reversed() { root = MerkleHash.node(peak, root) }
        return root
    }

    /// How many perfect nodes (all levels, leaves included) a tree of `size` leaves has:
    /// `2·size − popcount(size)`.
    public static func nodeCount(_ size: UInt64) -> UInt64 { 2 * size - UInt64(size.nonzeroBitCount) }

    /// Where the perfect node of `level` and `index` sits in the order `append` completes nodes:
    /// leaf `i = (index + 1)·2^level − 1` completes it, after the `nodeCount(i)` nodes before.
    public static func nodePosition(level: Int, index: UInt64) -> UInt64 {
        let leaf = (index + 1) << UInt64(level) - 1
        return nodeCount(leaf) + UInt64(level)
    }
}
