import Foundation
import KeelFormats
import KeelLedger
import KeelTesting

/// A ledger in a temporary directory, with raw access to its files for tampering.
struct LedgerFixture {
    let temporary: TemporaryDirectory
    let directory: LedgerDirectory

    init() throws {
        temporary = try TemporaryDirectory(prefix: "keel-ledger")
        directory = LedgerDirectory(root: temporary.path)
    }

    /// The state root (for `--root`).
    var root: String { temporary.path }

    /// Appends `count` entries one commit each, with a checkpoint after every commit when
    /// `checkpointEach`.
    func fill(_ count: Int, checkpointEach: Bool = true, close: Bool = true, kind: String = "test") throws {
        let policy = LedgerWriter.Policy(everyEntries: checkpointEach ? 1 : 1_000_000)
        let writer = try LedgerWriter(directory: directory, policy: policy)
        for index in 1...count {
            _ = try writer.append([
                LedgerDraft(actor: "keel", kind: kind, subject: "subject-\(index)", details: #"{"n":\#(index)}"#)
            ])
        }
        if close { try writer.close() }
    }

    /// Reads a file of the ledger.
    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + name)))
    }

    /// Replaces a file of the ledger.
    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: directory.path + "/" + name))
    }

    /// The byte ranges of the records in the entries file, in order.
    func records() throws -> [Range<Int>] {
        let bytes = try read("entries")
        var ranges: [Range<Int>] = []
        var offset = 8
        while offset + 4 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard length >= 64, offset + 4 + length + 32 <= bytes.count else { break }
            ranges.append(offset..<(offset + 4 + length + 32))
            offset += 4 + length + 32
        }
        return ranges
    }

    /// The decoded entries.
    func entries() throws -> [LedgerEntry] {
        let bytes = try read("entries")
        return try records().map { range in
            try Array(bytes[(range.lowerBound + 4)..<(range.upperBound - 32)]).withUnsafeBytes {
                try EntryEncoding.decode(body: $0)
            }
        }
    }

    /// Runs keel's verifier; returns its exit status and stdout line.
    func keelVerify(_ extra: [String] = []) throws -> (Int32, String) {
        let result = try KeelBinary.run(["ledger", "verify", "--root", root] + extra)
        return (result.status, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Exports a bundle and runs the standalone Python verifier on it.
    func pythonVerify(_ extra: [String] = []) throws -> (Int32, String) {
        let bundle = temporary.appending("bundle-\(UUID().uuidString)")
        let exported = try KeelBinary.run(["ledger", "export", "--root", root, bundle])
        guard exported.status == 0 else { return (exported.status, exported.errorOutput) }
        let result = try ProcessRunner.run("python3", [Self.verifierScript, bundle] + extra)
        return (result.status, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// tools/verify-ledger.py in this checkout.
    static var verifierScript: String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("tools/verify-ledger.py").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return "tools/verify-ledger.py"
    }

    /// Rewrites entries `from...` as a self-consistent forged chain (new subjects, hashes,
    /// links and Merkle nodes), keeping the checkpoints: only their signatures can tell.
    func forgeTail(from sequence: Int) throws {
        var entries = try entries()
        var previous = sequence > 1 ? entries[sequence - 2].hash : LedgerHash.zero
        for index in (sequence - 1)..<entries.count {
            entries[index].subject = "forged-\(index + 1)"
            entries[index].previousHash = previous
            previous = entries[index].hash
        }
        var bytes = LedgerDirectory.entriesMagic
        var nodes: [UInt8] = []
        var range = CompactRange()
        for entry in entries {
            let (record, hash) = EntryEncoding.record(of: entry)
            bytes += record
            range.append(hash) { _, node in nodes += node.bytes }
        }
        try write("entries", bytes)
        try write("nodes", nodes)
    }
}
