import ArgumentParser
import KeelLedger

/// `keel ledger key`.
struct LedgerKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print the ledger's public key (name:base64), to keep as a trusted copy.",
        discussion:
            "The key is made on the first append. Give the printed key to `verify --key` and `check-proof --key`."
    )

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        print(try ledger.trustedKey(nil).text)
    }
}
