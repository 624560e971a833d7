/// RFC 9162 §2.1.3 and §2.1.4: inclusion and consistency proofs, made from a tree's perfect
/// nodes and checked against roots alone.
public enum MerkleProof {
    /// The root of leaves `start ..< end`, where `start` is a multiple of the largest power of
    /// two not above `end − start` (every subtree RFC 9162's recursion visits is).
    public static func subtreeRoot(_ start: UInt64, _ end: UInt64, in source: some MerkleNodeSource) throws
        -> LedgerHash
    {
        let count = end - start
        if count.nonzeroBitCount == 1 {
            let level = count.trailingZeroBitCount
            return try source.node(level: level, index: start >> UInt64(level))
        }
        let split = MerkleHash.split(count)
        return MerkleHash.node(
            try subtreeRoot(start, start + split, in: source), try subtreeRoot(start + split, end, in: source))
    }

    /// `PATH(index, D[size])`: the sibling hashes from the leaf up to the root, nearest first.
    ///
    /// - Important: `index` must be below `size`.
    public static func inclusionPath(index: UInt64, size: UInt64, in source: some MerkleNodeSource) throws
        -> [LedgerHash]
    {
        precondition(index < size, "the leaf must be in the tree")
        var start: UInt64 = 0
        var end = size
        var siblings: [LedgerHash] = []
        while end - start > 1 {
            let split = MerkleHash.split(end - start)
            if index < start + split {
                siblings.append(try subtreeRoot(start + split, end, in: source))
                end = start + split
            } else {
                siblings.append(try subtreeRoot(start, start + split, in: source))
                start += split
            }
        }
        return siblings.reversed()
    }

    /// `PROOF(oldSize, D[newSize])`: what shows that the tree of `oldSize` leaves is a prefix of
    /// the tree of `newSize`. Empty when `oldSize` is 0 or equals `newSize`.
    ///
    /// - Important: `oldSize` must not exceed `newSize`.
    public static func consistencyPath(oldSize: UInt64, newSize: UInt64, in source: some MerkleNodeSource) throws
        -> [LedgerHash]
    {
        precondition(oldSize <= newSize, "the old tree cannot be larger than the new one")
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [LedgerHash] = []
        var start: UInt64 = 0
        var end = newSize
        var wanted = oldSize
        var isWholeOldTree = true
        while true {
            let count = end - start
            if wanted == count {
                if !isWholeOldTree { proof.append(try subtreeRoot(start, end, in: source)) }
                break
            }
            let split = MerkleHash.split(count)
            if wanted <= split {
                proof.append(try subtreeRoot(start + split, end, in: source))
                end = start + split
            } else {
                proof.append(try subtreeRoot(start, start + split, in: source))
                start += split
                wanted -= split
                isWholeOldTree = false
            }
        }
        return proof.reversed()
    }

    /// Whether `path` proves that `leaf` is leaf `index` of the tree of `size` leaves whose
    /// root is `root` (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        leaf: LedgerHash, index: UInt64, size: UInt64, path: [LedgerHash], root: LedgerHash
    ) -> Bool {
        guard index < size else { return false }
        var fn = index
        var sn = size - 1
        var result = leaf
        for sibling in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                result = MerkleHash.node(sibling, result)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                result = MerkleHash.node(result, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && result == root
    }

    /// Whether `path` proves that the tree of `oldSize` leaves with root `oldRoot` is a prefix
    /// of the tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need
    /// an empty path and equal roots; an empty old tree needs an empty path.
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: LedgerHash, newRoot: LedgerHash, path: [LedgerHash]
    ) -> Bool {
        guard oldSize <= newSize else { return false }
        if oldSize == newSize { return path.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return path.isEmpty && oldRoot == MerkleHash.emptyRoot }
        guard !path.isEmpty else { return false }
        var nodes = path
        if oldSize.nonzeroBitCount == 1 { nodes.insert(oldRoot, at: 0) }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var oldResult = nodes[0]
        var newResult = nodes[0]
        for node in nodes.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                oldResult = MerkleHash.node(node, oldResult)
                newResult = MerkleHash.node(node, newResult)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                newResult = MerkleHash.node(newResult, node)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && oldResult == oldRoot && newResult == newRoot
    }
}
