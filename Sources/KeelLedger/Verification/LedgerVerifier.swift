import Foundation
import KeelFormats
import KeelLinux
import SystemPackage

/// What `LedgerVerifier` found.
public enum LedgerVerdict: Sendable, Equatable {
    /// Everything checks: `entries` entries, `checkpoints` checkpoints, the latest covering
    /// `covered` entries with root `root`.
    case intact(entries: UInt64, checkpoints: Int, covered: UInt64, root: LedgerHash)
    /// The first problem, by sequence number.
    case broken(sequence: UInt64, reason: String)
}

/// Walks a whole ledger offline and checks everything stored: each record's framing and hash,
/// the sequence and the chain, every stored Merkle node, every checkpoint's root, locator and
/// signature, and that no checkpoint covers entries that are gone.
///
/// Trust starts from the keys given. A `ledger.key-rotated` entry covered by a checkpoint that a
/// trusted key validly signed (and whose root matches) makes both its keys trusted.
public struct LedgerVerifier {
    /// The keys trusted to sign checkpoints.
    public let trustedKeys: [SigningPublicKey]
    /// Checkpoints kept elsewhere (witness copies) to check as well as the ledger's own.
    public let witnesses: [Checkpoint]

    /// A verifier trusting `trustedKeys`, also checking `witnesses`.
    public init(trustedKeys: [SigningPublicKey], witnesses: [Checkpoint] = []) {
        self.trustedKeys = trustedKeys
        self.witnesses = witnesses
    }

    private struct Rotation {
        let sequence: UInt64
        let keys: [String]
    }

    private struct CheckedCheckpoint {
        let checkpoint: Checkpoint
        let isWitness: Bool
        var rootMatches = false
        var offsetMatches = false
        var reached = false
    }

    /// Verifies the ledger seen by `snapshot`.
    public func verify(_ snapshot: LedgerSnapshot) throws(LedgerError) -> LedgerVerdict {
        var problems: [(UInt64, String)] = []
        var checked = try snapshot.checkpoints().map { CheckedCheckpoint(checkpoint: $0, isWitness: false) }
        for (index, item) in checked.enumerated().dropFirst()
        where item.checkpoint.size < checked[index - 1].checkpoint.size {
            problems.append(
                (
                    item.checkpoint.size,
                    "checkpoints out of order (size \(item.checkpoint.size) follows size \(checked[index - 1].checkpoint.size))"
                ))
        }
        checked += witnesses.map { CheckedCheckpoint(checkpoint: $0, isWitness: true) }
        let bySize = Dictionary(grouping: checked.indices, by: { checked[$0].checkpoint.size })
        for index in bySize[0] ?? [] {
            checked[index].reached = true
            checked[index].rootMatches = checked[index].checkpoint.root == MerkleHash.emptyRoot
            checked[index].offsetMatches =
                checked[index].checkpoint.offset == UInt64(LedgerDirectory.entriesMagic.count)
        }

        var count: UInt64 = 0
        var previous = LedgerHash.zero
        var range = CompactRange()
        var rotations: [Rotation] = []
        var nodes = NodeStream(fd: snapshot.files.nodes, end: snapshot.nodesEnd)
        defer { nodes.close() }
        var scanner = RecordScanner(
            fd: snapshot.files.entries, start: UInt64(LedgerDirectory.entriesMagic.count), end: snapshot.entriesEnd)
        defer { scanner.close() }
        var scanProblem: (UInt64, String)?
        let end = try scanner.scan { record throws(LedgerError) in
            let sequence = count + 1
            var hash = LedgerHash.zero
            if let reason = RecordCheck.problem(record, expected: sequence, previous: previous, hash: &hash) {
                scanProblem = (sequence, reason)
                return false
            }
            var nodeProblem: String?
            range.append(hash) { level, node in
                guard nodeProblem == nil else { return }
                switch nodes.next() {
                case .none: nodeProblem = "the Merkle nodes file ends before this entry's nodes"
                case .some(let stored) where stored != node:
                    nodeProblem = "a stored Merkle node (level \(level)) differs from the one the entries give"
                default: break
                }
            }
            if let nodeProblem {
                scanProblem = (sequence, nodeProblem)
                return false
            }
            if RotationRecord.isRotation(record.body), let entry = try? EntryEncoding.decode(body: record.body) {
                rotations.append(Rotation(sequence: sequence, keys: RotationRecord.keys(in: entry.details)))
            }
            count = sequence
            previous = hash
            for index in bySize[sequence] ?? [] {
                checked[index].reached = true
                checked[index].rootMatches = checked[index].checkpoint.root == range.root
                checked[index].offsetMatches = checked[index].checkpoint.offset == record.end
            }
            return true
        }
        if let error = nodes.error { throw error }
        if let scanProblem { problems.append(scanProblem) }
        if case .incomplete(_, let reason) = end, scanProblem == nil {
            problems.append((count + 1, "torn record (\(reason)); the next writer will cut it off"))
        }
        if scanProblem == nil, case .complete = end, nodes.remaining > 0 {
            problems.append((count + 1, "missing entry (the Merkle nodes file holds nodes beyond entry \(count))"))
        }
        if scanProblem == nil,
            let uncovered = checked.filter({ $0.checkpoint.size > count }).map(\.checkpoint.size).min()
        {
            problems.append((count + 1, "missing entry (a checkpoint of size \(uncovered) covers it)"))
        }
        problems += signatureProblems(checked.filter { $0.reached }, rotations: rotations)

        if let first = problems.min(by: { $0.0 < $1.0 }) { return .broken(sequence: first.0, reason: first.1) }
        let covered = checked.filter { !$0.isWitness }.map(\.checkpoint.size).max() ?? 0
        return .intact(
            entries: count, checkpoints: checked.filter { !$0.isWitness }.count, covered: covered, root: range.root)
    }

    /// Root, locator and signature problems of the checkpoints the scan reached.
    private func signatureProblems(_ checked: [CheckedCheckpoint], rotations: [Rotation]) -> [(UInt64, String)] {
        var trusted = Dictionary(trustedKeys.map { ($0.name, [$0]) }, uniquingKeysWith: +)
        func validSigner(_ checkpoint: Checkpoint) -> Bool {
            (trusted[checkpoint.keyName] ?? []).contains { checkpoint.isSigned(by: $0) }
        }
        var changed = true
        var applied = Set<UInt64>()
        while changed {
            changed = false
            for rotation in rotations where !applied.contains(rotation.sequence) {
                let vouched = checked.contains {
                    $0.rootMatches && $0.checkpoint.size >= rotation.sequence && validSigner($0.checkpoint)
                }
                guard vouched else { continue }
                applied.insert(rotation.sequence)
                changed = true
                for text in rotation.keys {
                    if let key = try? SigningPublicKey(parsing: text) { trusted[key.name, default: []].append(key) }
                }
            }
        }
        var problems: [(UInt64, String)] = []
        var lastGood: UInt64 = 0
        for item in checked.sorted(by: { $0.checkpoint.size < $1.checkpoint.size }) {
            let checkpoint = item.checkpoint
            let which = item.isWitness ? "the witness checkpoint" : "checkpoint"
            if !item.rootMatches {
                problems.append(
                    (
                        lastGood + 1,
                        "\(which) of size \(checkpoint.size) disagrees: entries \(lastGood + 1)–\(checkpoint.size) are not "
                            + "the ones it signed"
                    ))
            } else if trusted[checkpoint.keyName] == nil {
                problems.append(
                    (
                        checkpoint.size,
                        "\(which) of size \(checkpoint.size) is signed by key \(checkpoint.keyName), which is not trusted"
                    ))
            } else if !validSigner(checkpoint) {
                problems.append((checkpoint.size, "bad signature on \(which) of size \(checkpoint.size)"))
            } else if !item.offsetMatches && !item.isWitness {
                problems.append(
                    (
                        checkpoint.size,
                        "checkpoint of size \(checkpoint.size) records offset \(checkpoint.offset), which is not where "
                            + "entry \(checkpoint.size) ends"
                    ))
            } else {
                lastGood = max(lastGood, checkpoint.size)
            }
        }
        return problems
    }
}
