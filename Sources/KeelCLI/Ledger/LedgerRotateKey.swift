import ArgumentParser
import KeelLedger

/// `keel ledger rotate-key`.
struct LedgerRotateKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Replace the ledger's signing key (also the way back when the secret key is lost).",
        discussion: """
            Makes a new key, appends a ledger.key-rotated entry holding the old and new public keys, \
            and signs a checkpoint over it with the old key (if it still exists) and the new one. \
            Verifiers that trust either key then trust the other. Prints the new public key.
            """
    )

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        let writer = try ledger.writer()
        let entry = try ledgerOperation { () throws(LedgerError) in try writer.rotateKey(actor: LedgerActor.current) }
        print(try ledger.trustedKey(nil).text)
        StandardErrorLine.write("recorded as entry \(entry.sequence)")
    }
}
