import KeelFormats
import KeelLinux
import SystemPackage

/// Brings a writer's `LedgerTail` up to date under the exclusive lock, cutting a torn tail (an
/// incomplete or invalid run of records after the latest checkpoint) and rebuilding missing
/// Merkle nodes. Damage before the latest checkpoint is never "repaired": it is an error.
struct TailRecovery {
    let files: LedgerFiles

    /// The current tail, starting from `cached` when the files only grew since it was taken.
    func refresh(_ cached: LedgerTail?) throws(LedgerError) -> (LedgerTail, CutTail?) {
        let entriesSize = try files.size(files.entries, "entries")
        let nodesSize = try files.size(files.nodes, "nodes")
        let checkpointsSize = try files.size(files.checkpoints, "checkpoints")
        if let cached, cached.entriesEnd == entriesSize, cached.nodesEnd == nodesSize,
            cached.checkpointsEnd == checkpointsSize
        {
            return (cached, nil)
        }
        if entriesSize == 0 { try writeMagic() }
        try checkMagic()
        if let cached, cached.entriesEnd <= entriesSize, cached.nodesEnd <= nodesSize,
            cached.checkpointsEnd <= checkpointsSize
        {
            var tail = cached
            try readNewCheckpoints(into: &tail, size: checkpointsSize)
            var nodes: [UInt8] = []
            let cut = try scan(into: &tail, end: entriesSize, collecting: &nodes)
            if nodesSize == CompactRange.nodeCount(tail.count) * 32 {
                tail.nodesEnd = nodesSize
                return (tail, cut)
            }
        }
        return try recoverFromLatestCheckpoint()
    }

    /// Full recovery: start at the latest checkpoint (or the beginning), scan what follows.
    private func recoverFromLatestCheckpoint() throws(LedgerError) -> (LedgerTail, CutTail?) {
        let entriesSize = try files.size(files.entries, "entries")
        let nodesSize = try files.size(files.nodes, "nodes")
        var tail = LedgerTail()
        try readLatestCheckpoint(into: &tail)
        if let checkpoint = tail.latestCheckpoint, checkpoint.size > 0 {
            guard checkpoint.offset <= entriesSize else {
                throw LedgerError(
                    .damaged,
                    "the ledger is damaged: the latest checkpoint covers \(checkpoint.size) entries ending at byte "
                        + "\(checkpoint.offset), but the entries file has only \(entriesSize) bytes; "
                        + "run `keel ledger verify`")
            }
            if let range = try peaks(size: checkpoint.size, nodesSize: nodesSize), range.root == checkpoint.root,
                try recordStartsAt(checkpoint.offset, sequence: checkpoint.size + 1, end: entriesSize)
            {
                tail.count = checkpoint.size
                tail.entriesEnd = checkpoint.offset
                tail.range = range
                tail.lastHash = try node(level: 0, index: checkpoint.size - 1)
                var nodes: [UInt8] = []
                let cut = try scan(into: &tail, end: entriesSize, collecting: &nodes)
                try settleNodes(&tail, keepingNodesOf: checkpoint.size, then: nodes, nodesSize: nodesSize)
                return (tail, cut)
            }
        }
        // No usable checkpoint locator: rebuild everything from the first entry.
        var nodes: [UInt8] = []
        let cut = try scan(into: &tail, end: entriesSize, collecting: &nodes)
        if let cut, let checkpoint = tail.latestCheckpoint, cut.fromSequence <= checkpoint.size {
            throw LedgerError(
                .damaged,
                "the ledger is damaged at entry \(cut.fromSequence) (\(cut.reason)), which a checkpoint covers; "
                    + "run `keel ledger verify`")
        }
        try settleNodes(&tail, keepingNodesOf: 0, then: nodes, nodesSize: nodesSize)
        return (tail, cut)
    }

    /// Validates records from `tail.entriesEnd` to `end`, appending each to `tail`; cuts the
    /// file at the first record that is incomplete or invalid.
    private func scan(into tail: inout LedgerTail, end: UInt64, collecting nodes: inout [UInt8])
        throws(LedgerError) -> CutTail?
    {
        var scanner = RecordScanner(fd: files.entries, start: tail.entriesEnd, end: end)
        defer { scanner.close() }
        var problem: String?
        var state = tail
        let outcome = try scanner.scan { record throws(LedgerError) in
            var hash = LedgerHash.zero
            if let reason = RecordCheck.problem(
                record, expected: state.count + 1, previous: state.lastHash, hash: &hash)
            {
                problem = reason
                return false
            }
            state.range.append(hash) { _, node in nodes.append(contentsOf: node.bytes) }
            state.count += 1
            state.lastHash = hash
            state.entriesEnd = record.end
            return true
        }
        tail = state
        let reason: String
        switch outcome {
        case .complete:
            guard let problem else { return nil }
            reason = problem
        case .incomplete(_, let why): reason = why
        }
        guard tail.entriesEnd < end else { return nil }
        if let checkpoint = tail.latestCheckpoint, tail.count < checkpoint.size {
            throw LedgerError(
                .damaged,
                "the ledger is damaged at entry \(tail.count + 1) (\(reason)), which a checkpoint covers; "
                    + "run `keel ledger verify`")
        }
        do {
            try FileSystem.truncate(files.entries, to: tail.entriesEnd)
            try FileSystem.syncData(files.entries)
        } catch { throw .fileSystem("cannot cut the ledger's torn tail", error) }
        return CutTail(
            fromSequence: tail.count + 1, offset: tail.entriesEnd, bytes: end - tail.entriesEnd, reason: reason)
    }

    /// Makes the nodes file hold exactly the nodes of `tail.count` entries: keeps those of the
    /// first `kept` entries and writes `nodes` (those of the rest) after them.
    private func settleNodes(
        _ tail: inout LedgerTail, keepingNodesOf kept: UInt64, then nodes: [UInt8], nodesSize: UInt64
    )
        throws(LedgerError)
    {
        let expected = CompactRange.nodeCount(tail.count) * 32
        defer { tail.nodesEnd = expected }
        if nodesSize == expected { return }
        let keptEnd = CompactRange.nodeCount(kept) * 32
        do {
            try FileSystem.truncate(files.nodes, to: keptEnd)
            try FileSystem.write(files.nodes, nodes, at: keptEnd)
            try FileSystem.syncData(files.nodes)
        } catch { throw .fileSystem("cannot rebuild the ledger's Merkle nodes", error) }
    }

    /// Whether a record of `sequence` starts at `offset` (or `offset` is the end).
    private func recordStartsAt(_ offset: UInt64, sequence: UInt64, end: UInt64) throws(LedgerError) -> Bool {
        if offset == end { return true }
        var scanner = RecordScanner(fd: files.entries, start: offset, end: end)
        defer { scanner.close() }
        var found = false
        _ = try scanner.scan { record in
            found = record.sequence == sequence
            return false
        }
        return found
    }

    /// The right edge of the tree of `size` leaves, read from the nodes file.
    private func peaks(size: UInt64, nodesSize: UInt64) throws(LedgerError) -> CompactRange? {
        guard nodesSize >= CompactRange.nodeCount(size) * 32 else { return nil }
        var peaks: [LedgerHash] = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << UInt64(level)) != 0 {
            peaks.append(try node(level: level, index: start >> UInt64(level)))
            start += UInt64(1) << UInt64(level)
        }
        return CompactRange(size: size, peaks: peaks)
    }

    /// One stored node.
    private func node(level: Int, index: UInt64) throws(LedgerError) -> LedgerHash {
        try NodeFile(fd: files.nodes).read(level: level, index: index)
    }

    private func writeMagic() throws(LedgerError) {
        do {
            try FileSystem.write(files.entries, LedgerDirectory.entriesMagic, at: 0)
            try FileSystem.syncData(files.entries)
        } catch { throw .fileSystem("cannot start the ledger's entries file", error) }
    }

    private func checkMagic() throws(LedgerError) {
        let magic: [UInt8]
        do { magic = try FileSystem.read(files.entries, count: 8, at: 0) } catch {
            throw .fileSystem("cannot read the ledger's entries file", error)
        }
        guard magic == LedgerDirectory.entriesMagic else {
            throw LedgerError(.damaged, "\(files.directory.entriesPath) is not a keel ledger (bad magic)")
        }
    }

    /// Reads the checkpoints added since `tail.checkpointsEnd`.
    private func readNewCheckpoints(into tail: inout LedgerTail, size: UInt64) throws(LedgerError) {
        guard size > tail.checkpointsEnd else { return }
        let store = CheckpointFile(fd: files.checkpoints)
        let (checkpoints, end) = try store.read(from: tail.checkpointsEnd, to: size, repairing: true)
        if let last = checkpoints.last { tail.latestCheckpoint = last }
        tail.checkpointsEnd = end
    }

    /// Reads the last checkpoint in the file (cutting a torn last line).
    private func readLatestCheckpoint(into tail: inout LedgerTail) throws(LedgerError) {
        let store = CheckpointFile(fd: files.checkpoints)
        let (latest, end) = try store.latest(repairing: true)
        tail.latestCheckpoint = latest
        tail.checkpointsEnd = end
    }
}
