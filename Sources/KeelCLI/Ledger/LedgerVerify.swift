import ArgumentParser
import Foundation
import KeelLedger

/// `keel ledger verify`.
struct LedgerVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the whole ledger: chain, Merkle nodes and roots, checkpoint signatures.",
        discussion: """
            Exit 0 and one summary line when everything checks. Otherwise exit 1 and one line \
            'entry N: REASON' naming the first bad sequence number: hash mismatch, broken link, \
            missing entry, bad signature, checkpoint disagrees... A checkpoint whose root disagrees \
            names the first entry no agreeing checkpoint vouches for.
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "Trust this public key file (name:base64) instead of ROOT/ledger/public.key.")
    var key: String?

    @Option(help: "Also check against checkpoints saved elsewhere (lines from `keel ledger checkpoint --print`).")
    var checkpoint: String?

    @Flag(help: "Print the verdict as JSON.")
    var json = false

    func run() throws {
        let trusted = try ledger.trustedKey(key)
        var witnesses: [Checkpoint] = []
        if let checkpoint {
            for line in try TextFile.read(checkpoint).split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
                do { witnesses.append(try Checkpoint(line: String(line))) } catch {
                    throw CLIError("\(checkpoint): \(error)")
                }
            }
        }
        let snapshot = try ledger.snapshot()
        let verdict = try ledgerOperation { () throws(LedgerError) in
            try LedgerVerifier(trustedKeys: [trusted], witnesses: witnesses).verify(snapshot)
        }
        switch verdict {
        case .intact(let entries, let checkpoints, let covered, let root):
            if json {
                print(
                    #"{"intact":true,"entries":\#(entries),"checkpoints":\#(checkpoints),"covered":\#(covered),"root":"\#(root.hex)"}"#
                )
            } else {
                let pending = covered < entries ? "; entries \(covered + 1)-\(entries) await a checkpoint" : ""
                print("ledger intact: \(entries) entries, \(checkpoints) checkpoints, root \(root.hex)\(pending)")
            }
        case .broken(let sequence, let reason):
            if json {
                print(
                    JSONValue.object([
                        ("intact", .bool(false)), ("sequence", .number(Int64(sequence))), ("reason", .string(reason)),
                    ]).rendered(pretty: false))
            } else {
                print("entry \(sequence): \(reason)")
            }
            throw SilentExit(.failure)
        }
    }
}
