import KeelLinux
import SystemPackage

/// A reader's consistent view of a ledger: the sizes of its files taken under a shared lock
/// (so no writer is between writing entries and their nodes), read afterwards without
/// holding the lock. Writers only append, so the view stays valid while they go on.
public final class LedgerSnapshot {
    let files: LedgerFiles
    /// Where the entries end in this view.
    public let entriesEnd: UInt64
    /// Where the Merkle nodes end in this view.
    public let nodesEnd: UInt64
    /// Where the checkpoints end in this view.
    public let checkpointsEnd: UInt64

    /// Takes a view of the ledger in `directory`.
    ///
    /// - Throws: `LedgerError` (`.notFound` when there is no ledger there).
    public init(directory: LedgerDirectory) throws(LedgerError) {
        let files = try LedgerFiles(directory, create: false)
        do { try FileSystem.lock(files.lock, exclusive: false) } catch {
            throw .fileSystem("cannot lock the ledger", error)
        }
        defer { FileSystem.unlock(files.lock) }
        self.files = files
        entriesEnd = try files.size(files.entries, "entries")
        nodesEnd = try files.size(files.nodes, "nodes")
        checkpointsEnd = try files.size(files.checkpoints, "checkpoints")
        if entriesEnd > 0 {
            let magic: [UInt8]
            do { magic = try FileSystem.read(files.entries, count: 8, at: 0) } catch {
                throw .fileSystem("cannot read the ledger's entries", error)
            }
            guard magic == LedgerDirectory.entriesMagic else {
                throw LedgerError(.damaged, "\(directory.entriesPath) is not a keel ledger (bad magic)")
            }
        }
    }

    /// The ledger's directory.
    public var directory: LedgerDirectory { files.directory }

    /// Every checkpoint, in file order (a torn last line is left out).
    public func checkpoints() throws(LedgerError) -> [Checkpoint] {
        try CheckpointFile(fd: files.checkpoints).all(end: checkpointsEnd)
    }

    /// The latest checkpoint (read from the end of the file).
    public func latestCheckpoint() throws(LedgerError) -> Checkpoint? {
        try CheckpointFile(fd: files.checkpoints).lastBelow(UInt64.max, end: checkpointsEnd)
    }

    /// The Merkle nodes, for proofs.
    var nodes: NodeFile { NodeFile(fd: files.nodes) }

    /// Visits the entries from `sequence` on, decoded, until `visit` returns false.
    ///
    /// Records are checked as they are read (hash, sequence, link) except the link into the
    /// first one visited; reading stops with an error at the first that fails.
    ///
    /// - Returns: `.incomplete` when the file ends in a torn record.
    public func entries(from sequence: UInt64 = 1, _ visit: (LedgerEntry) throws -> Bool) throws -> ScanOutcome {
        var (offset, count) = try locate(sequence)
        var previous: LedgerHash?
        var scanner = RecordScanner(fd: files.entries, start: offset, end: entriesEnd)
        defer { scanner.close() }
        var failure: (any Error)?
        let end = try scanner.scan { record throws(LedgerError) in
            var hash = LedgerHash.zero
            let expected = count + 1
            if let reason = RecordCheck.problem(
                record, expected: expected, previous: previous ?? record.previousHash, hash: &hash)
            {
                failure = LedgerError(.damaged, "entry \(expected): \(reason); run `keel ledger verify`")
                return false
            }
            count = expected
            previous = hash
            offset = record.end
            guard expected >= sequence else { return true }
            do {
                let entry = try EntryEncoding.decode(body: record.body)
                return try visit(entry)
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        switch end {
        case .complete: return .complete
        case .incomplete(let offset, let reason): return .tornTail(afterSequence: count, offset: offset, reason: reason)
        }
    }

    /// Visits the sequence number and record end of entries from `sequence` on (not decoded,
    /// not checked) until `visit` returns false.
    func entriesWithEnds(from sequence: UInt64, _ visit: (UInt64, UInt64) -> Bool) throws(LedgerError) -> ScanEnd {
        let (offset, _) = try locate(sequence)
        var scanner = RecordScanner(fd: files.entries, start: offset, end: entriesEnd)
        defer { scanner.close() }
        return try scanner.scan { record in
            record.sequence < sequence ? true : visit(record.sequence, record.end)
        }
    }

    /// Where to start reading to reach entry `sequence`: the end of the last checkpoint below it.
    private func locate(_ sequence: UInt64) throws(LedgerError) -> (offset: UInt64, count: UInt64) {
        let start: (UInt64, UInt64) = (UInt64(LedgerDirectory.entriesMagic.count), 0)
        guard sequence > 1,
            let checkpoint = try CheckpointFile(fd: files.checkpoints).lastBelow(sequence, end: checkpointsEnd),
            checkpoint.size > 0, checkpoint.offset <= entriesEnd
        else { return start }
        return (checkpoint.offset, checkpoint.size)
    }
}

/// How reading a ledger's entries ended.
public enum ScanOutcome: Equatable, Sendable {
    /// Every record was whole (or the reader stopped early).
    case complete
    /// The file ends in a torn record after entry `afterSequence`: a writer died mid-append,
    /// and the next writer will cut it off.
    case tornTail(afterSequence: UInt64, offset: UInt64, reason: String)
}
