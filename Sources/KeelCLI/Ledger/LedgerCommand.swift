import ArgumentParser

/// `keel ledger`: the audit ledger.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Append to, read, verify and prove the hash-chained, Merkle-checkpointed audit ledger.",
        discussion: """
            The ledger lives in ROOT/ledger: entries, Merkle nodes, signed checkpoints and an Ed25519 \
            key made on first use. docs/ledger-format.md documents every byte, so anyone can verify \
            it offline (tools/verify-ledger.py does, with Python alone).
            """,
        subcommands: [
            LedgerAppend.self, LedgerLog.self, LedgerVerify.self, LedgerKey.self, LedgerCheckpoint.self,
            LedgerRotateKey.self, LedgerProve.self, LedgerConsistency.self, LedgerCheckProof.self,
            LedgerExport.self,
        ]
    )
}
