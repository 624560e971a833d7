/// Where proofs read the tree's perfect nodes: node `index` of `level` is the root of leaves
/// `index·2^level ..< (index+1)·2^level`.
public protocol MerkleNodeSource {
    /// The perfect node of `level` and `index`.
    func node(level: Int, index: UInt64) throws -> LedgerHash
}

/// Perfect nodes computed from a list of leaf hashes held in memory (for small trees, tests and
/// the standalone checks).
public struct LeafHashNodeSource: MerkleNodeSource {
    /// The leaf hashes, in order.
    public let leaves: [LedgerHash]

    /// A source over `leaves`.
    public init(leaves: [LedgerHash]) { self.leaves = leaves }

    /// Hashes the leaves under the node.
    public func node(level: Int, index: UInt64) throws -> LedgerHash {
        let start = Int(index << UInt64(level))
        return MerkleHash.root(of: leaves[start..<(start + (1 << level))])
    }
}
