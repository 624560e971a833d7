/// The checks every reader applies to a record in sequence: its own hash, its place in the
/// sequence, and its link to the entry before.
enum RecordCheck {
    /// Why `record` cannot be entry `expected` following an entry whose hash is `previous`,
    /// or `nil` when it can. The record's leaf hash is returned through `hash`.
    static func problem(
        _ record: ScannedRecord, expected: UInt64, previous: LedgerHash, hash: inout LedgerHash
    ) -> String? {
        hash = MerkleHash.leaf(record.body)
        if hash != record.storedHash { return "hash mismatch (the stored hash is not the hash of the entry's bytes)" }
        let sequence = record.sequence
        if sequence > expected { return "missing entry (found entry \(sequence) where entry \(expected) belongs)" }
        if sequence < expected { return "duplicate or out of order (found entry \(sequence) again)" }
        if record.previousHash != previous {
            return "broken link (the previous hash is not entry \(expected - 1)'s hash)"
        }
        return nil
    }
}
