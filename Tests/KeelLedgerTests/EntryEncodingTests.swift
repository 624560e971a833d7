import KeelLedger
import KeelTesting
import Testing

@Suite("Entry encoding", .ownThreads)
struct EntryEncodingTests {
    let entry = LedgerEntry(
        sequence: 7, time: -5, actor: "user:ада(1000)", kind: "agent.start", subject: "bot/1",
        details: #"{"a":[1,2],"b":"é"}"#, previousHash: LedgerHash(bytes: [UInt8](repeating: 9, count: 32))!)

    @Test("a body decodes to the entry it was made from, and its layout is the documented one")
    func roundTrip() throws {
        let body = entry.body
        let decoded = try body.withUnsafeBytes { try EntryEncoding.decode(body: $0) }
        #expect(decoded == entry)
        #expect(Array(body.prefix(8)) == [0, 0, 0, 0, 0, 0, 0, 7])
        #expect(Array(body[8..<16]) == [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb])
        #expect(Array(body.suffix(32)) == [UInt8](repeating: 9, count: 32))
        #expect(entry.hash == MerkleHash.leaf(body))
    }

    @Test("every truncation of a body is refused")
    func truncations() {
        let body = entry.body
        for length in 0..<body.count {
            #expect(throws: EntryDecodingError.self) {
                try Array(body.prefix(length)).withUnsafeBytes { try EntryEncoding.decode(body: $0) }
            }
        }
        #expect(throws: EntryDecodingError.trailingBytes) {
            try (body + [0]).withUnsafeBytes { try EntryEncoding.decode(body: $0) }
        }
    }

    @Test("details are stored canonically and must be an object")
    func details() throws {
        #expect(try LedgerDetails.canonical(#"{ "b": 1, "a": "x/y" }"#) == #"{"a":"x/y","b":1}"#)
        #expect(throws: LedgerDetailsError.notAnObject) { try LedgerDetails.canonical("[1]") }
        #expect(throws: LedgerDetailsError.notJSON) { try LedgerDetails.canonical("{") }
    }

    @Test("kinds: lower-case dotted names; 'ledger.' is keel's")
    func kinds() {
        #expect(LedgerKind.isWellFormed("agent.restart"))
        #expect(!LedgerKind.isWellFormed("Agent"))
        #expect(!LedgerKind.isWellFormed(""))
        #expect(!LedgerKind.isWellFormed("a b"))
        #expect(LedgerKind.isReserved("ledger.recovered"))
    }
}
