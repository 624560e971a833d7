import KeelLedger
import KeelTesting
import Testing

/// RFC 6962/9162 reference data published with the Certificate Transparency implementations
/// (transparency-dev/merkle's test constants): leaf inputs, roots and proofs.
private enum Reference {
    static let leafData: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map { hex in stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! } }
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map { LedgerHash(hex: $0)! }
    static let inclusion: [(index: UInt64, size: UInt64, path: [String])] = [
        (
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
    ]
    static let consistency: [(old: UInt64, new: UInt64, path: [String])] = [
        (
            2, 8,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
    ]
}

@Suite("Merkle tree (RFC 9162)", .ownThreads)
struct MerkleTests {
    let leaves = Reference.leafData.map(MerkleHash.leaf)

    @Test("roots match the published values for every size, and the empty tree's is SHA-256 of nothing")
    func roots() {
        #expect(MerkleHash.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for size in 1...8 { #expect(MerkleHash.root(of: leaves.prefix(size)) == Reference.roots[size - 1]) }
    }

    @Test("inclusion proofs match the published ones and verify")
    func inclusion() throws {
        let source = LeafHashNodeSource(leaves: leaves)
        for vector in Reference.inclusion {
            let path = try MerkleProof.inclusionPath(index: vector.index, size: vector.size, in: source)
            #expect(path.map(\.hex) == vector.path)
            #expect(
                MerkleProof.verifyInclusion(
                    leaf: leaves[Int(vector.index)], index: vector.index, size: vector.size, path: path,
                    root: Reference.roots[Int(vector.size) - 1]))
        }
    }

    @Test("consistency proofs match the published ones and verify")
    func consistency() throws {
        let source = LeafHashNodeSource(leaves: leaves)
        for vector in Reference.consistency {
            let path = try MerkleProof.consistencyPath(oldSize: vector.old, newSize: vector.new, in: source)
            #expect(path.map(\.hex) == vector.path)
            #expect(
                MerkleProof.verifyConsistency(
                    oldSize: vector.old, newSize: vector.new, oldRoot: Reference.roots[Int(vector.old) - 1],
                    newRoot: Reference.roots[Int(vector.new) - 1], path: path))
        }
    }

    @Test("every proof of every tree up to 40 leaves verifies, and mangled ones do not")
    func everyShape() throws {
        let many = (0..<40).map { MerkleHash.leaf([UInt8($0), UInt8(truncatingIfNeeded: $0 &* 7)]) }
        let source = LeafHashNodeSource(leaves: many)
        let roots = (0...many.count).map { MerkleHash.root(of: many.prefix($0)) }
        let junk = MerkleHash.leaf([0xab])
        for size in 1...UInt64(many.count) {
            for index in 0..<size {
                let path = try MerkleProof.inclusionPath(index: index, size: size, in: source)
                let leaf = many[Int(index)]
                #expect(
                    MerkleProof.verifyInclusion(
                        leaf: leaf, index: index, size: size, path: path, root: roots[Int(size)]))
                #expect(
                    !MerkleProof.verifyInclusion(
                        leaf: junk, index: index, size: size, path: path, root: roots[Int(size)]))
                #expect(
                    !MerkleProof.verifyInclusion(
                        leaf: leaf, index: index, size: size, path: path + [junk], root: roots[Int(size)]))
                if !path.isEmpty {
                    #expect(
                        !MerkleProof.verifyInclusion(
                            leaf: leaf, index: index, size: size, path: path.dropLast(), root: roots[Int(size)]))
                    #expect(
                        !MerkleProof.verifyInclusion(
                            leaf: leaf, index: index ^ 1, size: size, path: path, root: roots[Int(size)])
                            || many[Int(index ^ 1)] == leaf || index ^ 1 >= size)
                }
            }
            for old in 0...size {
                let path = try MerkleProof.consistencyPath(oldSize: old, newSize: size, in: source)
                #expect(
                    MerkleProof.verifyConsistency(
                        oldSize: old, newSize: size, oldRoot: roots[Int(old)], newRoot: roots[Int(size)], path: path))
                if old > 0 && old < size {
                    #expect(
                        !MerkleProof.verifyConsistency(
                            oldSize: old, newSize: size, oldRoot: junk, newRoot: roots[Int(size)], path: path))
                    #expect(
                        !MerkleProof.verifyConsistency(
                            oldSize: old, newSize: size, oldRoot: roots[Int(old)], newRoot: roots[Int(size)],
                            path: Array(path.dropLast())))
                }
            }
        }
    }

    @Test("nodes are completed in the order the node file's positions say")
    func nodePositions() {
        var range = CompactRange()
        var position: UInt64 = 0
        for leaf in 0..<200 {
            range.append(MerkleHash.leaf([UInt8(leaf & 0xff)])) { level, _ in
                let index = UInt64(leaf + 1) >> UInt64(level) - 1
                #expect(CompactRange.nodePosition(level: level, index: index) == position)
                position += 1
            }
            #expect(position == CompactRange.nodeCount(UInt64(leaf + 1)))
        }
    }
}
