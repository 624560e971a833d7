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

/// The checkpoints file: one checkpoint per line, appended, never rewritten.
struct CheckpointFile {
    let fd: FileDescriptor

    /// The checkpoints in bytes `start ..< end` and where the last whole line ends. A last line
    /// without its newline is torn: with `repairing` it is cut off the file, else it is ignored.
    func read(from start: UInt64, to end: UInt64, repairing: Bool) throws(LedgerError) -> ([Checkpoint], UInt64) {
        guard end > start else { return ([], start) }
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(fd, count: Int(end - start), at: start) } catch {
            throw .fileSystem("cannot read the ledger's checkpoints", error)
        }
        var checkpoints: [Checkpoint] = []
        var lineStart = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            let line = String(decoding: bytes[lineStart..<index], as: UTF8.self)
            do { checkpoints.append(try Checkpoint(line: line)) } catch {
                throw LedgerError(
                    .damaged,
                    "the ledger's checkpoints file is damaged at byte \(start + UInt64(lineStart)): \(error); "
                        + "run `keel ledger verify`")
            }
            lineStart = index + 1
        }
        let wholeEnd = start + UInt64(lineStart)
        if wholeEnd < end && repairing {
            do {
                try FileSystem.truncate(fd, to: wholeEnd)
                try FileSystem.syncData(fd)
            } catch { throw .fileSystem("cannot cut a torn checkpoint line", error) }
        }
        return (checkpoints, wholeEnd)
    }

    /// The last checkpoint in the file, if any, and where the last whole line ends.
    func latest(repairing: Bool) throws(LedgerError) -> (Checkpoint?, UInt64) {
        let size: UInt64
        do { size = try FileSystem.status(of: fd).size } catch {
            throw .fileSystem("cannot stat the ledger's checkpoints", error)
        }
        var window: UInt64 = 4096
        while true {
            let start = size > window ? size - window : 0
            let bytes: [UInt8]
            do { bytes = try FileSystem.read(fd, count: Int(size - start), at: start) } catch {
                throw .fileSystem("cannot read the ledger's checkpoints", error)
            }
            // Lines are whole from just after the first newline in the window (or the file start).
            let firstWhole = start == 0 ? 0 : (bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count)
            let (checkpoints, end) = try read(
                from: start + UInt64(firstWhole), to: size, repairing: repairing)
            if let last = checkpoints.last { return (last, end) }
            if start == 0 { return (nil, end) }
            window *= 4
        }
    }

    /// Every checkpoint in bytes `0 ..< end`, in file order.
    func all(end: UInt64) throws(LedgerError) -> [Checkpoint] {
        try read(from: 0, to: end, repairing: false).0
    }

    /// Appends one checkpoint at `offset` (the end of the last whole line) and makes it durable.
    func append(_ checkpoint: Checkpoint, at offset: UInt64) throws(LedgerError) -> UInt64 {
        let line = Array((checkpoint.line + "\n").utf8)
        do {
            try FileSystem.write(fd, line, at: offset)
            try FileSystem.syncData(fd)
        } catch { throw .fileSystem("cannot write a checkpoint", error) }
        return offset + UInt64(line.count)
    }
}
