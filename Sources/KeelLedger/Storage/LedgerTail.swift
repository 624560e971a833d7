import KeelFormats
import KeelLinux
import SystemPackage

/// What a writer must know about the end of the ledger to append: how many entries there
/// are, where they end, the last hash, the Merkle tree's right edge and the latest checkpoint.
struct LedgerTail: Equatable {
    var count: UInt64 = 0
    var entriesEnd = UInt64(LedgerDirectory.entriesMagic.count)
    var lastHash = LedgerHash.zero
    var range = CompactRange()
    var nodesEnd: UInt64 = 0
    var latestCheckpoint: Checkpoint?
    var checkpointsEnd: UInt64 = 0

    /// The Merkle root of every entry.
    var root: LedgerHash { range.root }
}

/// A torn tail that recovery cut off.
struct CutTail: Equatable {
    /// The first entry that was cut.
    let fromSequence: UInt64
    /// Where the cut was made.
    let offset: UInt64
    /// How many bytes were removed.
    let bytes: UInt64
    /// Why the bytes there were not a whole, valid record.
    let reason: String
}
