import ArgumentParser
import Foundation
import KeelLedger

/// `keel ledger export`.
struct LedgerExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a self-contained bundle: entries, Merkle nodes, checkpoints and the public key.",
        discussion: """
            The bundle is a consistent snapshot, whatever writers do meanwhile. Verify it anywhere \
            with `python3 tools/verify-ledger.py DIR [--key FILE]` or `keel ledger verify --root` \
            pointed at a copy. DIR must not exist or be empty.
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The directory to write.")
    var directory: String

    func run() throws {
        let snapshot = try ledger.snapshot()
        let written = try ledgerOperation { try LedgerBundle.export(snapshot, to: directory) }
        print("exported \(written) entries to \(directory)")
    }
}
