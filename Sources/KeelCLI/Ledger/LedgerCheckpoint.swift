import ArgumentParser
import KeelLedger

/// `keel ledger checkpoint`.
struct LedgerCheckpoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign a checkpoint over every entry now (unless the latest already covers them).",
        discussion: """
            --print prints the checkpoint as one line: save it somewhere else (a witness copy) and \
            later run `keel ledger verify --checkpoint FILE` to prove the log still holds those entries.
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Flag(help: "Print the checkpoint line (a witness copy).")
    var print = false

    func run() throws {
        let writer = try ledger.writer()
        let latest = try ledgerOperation { () throws(LedgerError) in try writer.checkpoint() }
        guard let latest else { throw CLIError("the ledger is empty: there is nothing to checkpoint") }
        if print {
            Swift.print(latest.line)
        } else {
            Swift.print("checkpoint: \(latest.size) entries, root \(latest.root.hex), signed by \(latest.keyName)")
        }
    }
}
