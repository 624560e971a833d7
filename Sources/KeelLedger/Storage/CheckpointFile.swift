import KeelLinux
import SystemPackage

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
            if let fast = CheckpointLineParser.parse(bytes[lineStart..<index]) {
                checkpoints.append(fast)
                lineStart = index + 1
                continue
            }
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

    /// The last checkpoint in bytes `0 ..< end` whose size is below `size`, found by bisecting
    /// the file (its lines are in order of size) instead of reading all of it.
    func lastBelow(_ size: UInt64, end: UInt64) throws(LedgerError) -> Checkpoint? {
        var low: UInt64 = 0  // a line starts here, and every line before it is below `size`
        var high = end  // every line starting at or after `high` is not below `size`
        while high - low > 8192 {
            let middle = low + (high - low) / 2
            let window: [UInt8]
            do { window = try FileSystem.read(fd, count: 2048, at: middle) } catch {
                throw .fileSystem("cannot read the ledger's checkpoints", error)
            }
            guard let newline = window.firstIndex(of: UInt8(ascii: "\n")),
                let lineEnd = window[(newline + 1)...].firstIndex(of: UInt8(ascii: "\n")),
                let checkpoint = CheckpointLineParser.parse(window[(newline + 1)..<lineEnd])
            else { break }
            let lineStart = middle + UInt64(newline + 1)
            if checkpoint.size < size { low = lineStart } else { high = lineStart }
        }
        let (checkpoints, _) = try read(from: low, to: min(end, high + 4096), repairing: false)
        return checkpoints.last { $0.size < size }
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
