import KeelLinux
import SystemPackage

/// The Merkle nodes file: every perfect node of the tree, 32 bytes each, in the order leaves
/// complete them (`CompactRange.nodePosition`), so any node is one `pread` away.
struct NodeFile: MerkleNodeSource {
    let fd: FileDescriptor

    /// The perfect node of `level` and `index`.
    func read(level: Int, index: UInt64) throws(LedgerError) -> LedgerHash {
        let offset = CompactRange.nodePosition(level: level, index: index) * 32
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(fd, count: 32, at: offset) } catch {
            throw .fileSystem("cannot read the ledger's Merkle nodes", error)
        }
        guard let hash = LedgerHash(bytes: bytes) else {
            throw LedgerError(.damaged, "the ledger's nodes file ends before node \(index) of level \(level)")
        }
        return hash
    }

    /// `MerkleNodeSource`: the same, with an untyped throw.
    func node(level: Int, index: UInt64) throws -> LedgerHash {
        try read(level: level, index: index)
    }
}
