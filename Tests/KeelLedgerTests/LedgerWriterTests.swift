import Foundation
import KeelFormats
import KeelLedger
import KeelTesting
import Testing

@Suite("Ledger writer: recovery, keys, batched commits", .ownThreads)
struct LedgerWriterTests {
    private func verdict(_ fixture: LedgerFixture, key: SigningPublicKey? = nil) throws -> LedgerVerdict {
        let trusted =
            try key ?? SigningPublicKey(parsing: String(decoding: try fixture.read("public.key"), as: UTF8.self))
        return try LedgerVerifier(trustedKeys: [trusted]).verify(LedgerSnapshot(directory: fixture.directory))
    }

    private func expectIntact(_ fixture: LedgerFixture, entries: UInt64, key: SigningPublicKey? = nil) throws {
        let result = try verdict(fixture, key: key)
        guard case .intact(let count, _, let covered, _) = result else {
            Issue.record("not intact: \(result)")
            return
        }
        #expect(count == entries)
        #expect(covered == entries)
    }

    @Test("a torn tail after the last checkpoint is cut by the next writer, which records what it cut")
    func tornTail() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(5)
        let entries = try fixture.entries()
        let next = LedgerEntry(
            sequence: 6, time: 1, actor: "keel", kind: "test", subject: "lost", details: "{}",
            previousHash: entries[4].hash)
        let record = EntryEncoding.record(of: next).record
        for garbage in [
            Array(record.prefix(record.count / 2)), [UInt8](repeating: 0, count: 4096), Array(record.prefix(3)),
        ] {
            let before = try fixture.read("entries")
            let count = try fixture.entries().count
            try fixture.write("entries", before + garbage)
            guard case .broken(let sequence, let reason) = try verdict(fixture) else {
                Issue.record("a torn tail passed verification")
                return
            }
            #expect(sequence == UInt64(count + 1))
            #expect(reason.contains("torn"))
            let writer = try LedgerWriter(directory: fixture.directory)
            let appended = try writer.append([LedgerDraft(actor: "keel", kind: "test", subject: "after")])
            try writer.close()
            let all = try fixture.entries()
            let recovered = all[all.count - 2]
            #expect(recovered.kind == "ledger.recovered")
            #expect(recovered.details.contains("\"bytesCut\":\(garbage.count)"))
            #expect(appended.first?.sequence == UInt64(all.count))
            try expectIntact(fixture, entries: UInt64(all.count))
        }
    }

    @Test("Merkle nodes missing after a crash are rebuilt by the next writer")
    func missingNodes() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(3)
        try fixture.fill(6, checkpointEach: false, close: false)
        let nodes = try fixture.read("nodes")
        try fixture.write("nodes", Array(nodes.dropLast(64)))
        guard case .broken = try verdict(fixture) else {
            Issue.record("missing nodes passed verification")
            return
        }
        let writer = try LedgerWriter(directory: fixture.directory)
        _ = try writer.append([LedgerDraft(actor: "keel", kind: "test", subject: "after")])
        try writer.close()
        try expectIntact(fixture, entries: 10)
    }

    @Test("damage under a checkpoint is never cut: appends go on after it and verify still names it")
    func damageIsNotCut() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(4)
        var bytes = try fixture.read("entries")
        let records = try fixture.records()
        bytes[records[3].lowerBound + 20] ^= 1
        try fixture.write("entries", bytes)
        let writer = try LedgerWriter(directory: fixture.directory)
        _ = try writer.append([LedgerDraft(actor: "keel", kind: "test", subject: "x")])
        try writer.close()
        #expect(Array(try fixture.read("entries").prefix(bytes.count)) == bytes)
        guard case .broken(let sequence, let reason) = try verdict(fixture) else {
            Issue.record("damage passed verification")
            return
        }
        #expect(sequence == 4)
        #expect(reason.contains("hash mismatch"))
        // When the checkpoint's locator cannot be trusted, the writer rescans and refuses.
        try fixture.write("nodes", [])
        let rescanning = try LedgerWriter(directory: fixture.directory)
        #expect {
            _ = try rescanning.append([LedgerDraft(actor: "keel", kind: "test", subject: "y")])
        } throws: { error in
            (error as? LedgerError)?.code == .damaged
        }
        #expect(Array(try fixture.read("entries").prefix(bytes.count)) == bytes)
    }

    @Test("without its secret key the ledger refuses appends until rotate-key; trust follows the rotation")
    func lostKey() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(3)
        let oldKey = try SigningPublicKey(parsing: String(decoding: try fixture.read("public.key"), as: UTF8.self))
        try FileManager.default.removeItem(atPath: fixture.directory.secretKeyPath)
        let writer = try LedgerWriter(directory: fixture.directory)
        #expect {
            _ = try writer.append([LedgerDraft(actor: "keel", kind: "test", subject: "x")])
        } throws: { error in
            (error as? LedgerError)?.code == .keyMissing && "\(error)".contains("rotate-key")
        }
        let rotation = try writer.rotateKey(actor: "keel")
        #expect(rotation.kind == "ledger.key-rotated")
        #expect(rotation.details.contains(oldKey.text))
        _ = try writer.append([LedgerDraft(actor: "keel", kind: "test", subject: "after")])
        try writer.close()
        let newKey = try SigningPublicKey(parsing: String(decoding: try fixture.read("public.key"), as: UTF8.self))
        #expect(newKey.name != oldKey.name)
        try expectIntact(fixture, entries: 5, key: newKey)
        // The old key cannot vouch for checkpoints only the new key signed.
        guard case .broken(_, let reason) = try verdict(fixture, key: oldKey) else {
            Issue.record("the old key vouched for the new key's checkpoints")
            return
        }
        #expect(reason.contains("not trusted"))
    }

    @Test("a planned rotation is signed by both keys, so either key verifies the whole ledger")
    func plannedRotation() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(3)
        let oldKey = try SigningPublicKey(parsing: String(decoding: try fixture.read("public.key"), as: UTF8.self))
        let writer = try LedgerWriter(directory: fixture.directory)
        _ = try writer.rotateKey(actor: "keel")
        _ = try writer.append([LedgerDraft(actor: "keel", kind: "test", subject: "after")])
        try writer.close()
        let newKey = try SigningPublicKey(parsing: String(decoding: try fixture.read("public.key"), as: UTF8.self))
        try expectIntact(fixture, entries: 5, key: oldKey)
        try expectIntact(fixture, entries: 5, key: newKey)
    }

    @Test("a batch of drafts is appended in one commit (one fsync round), with consecutive sequence numbers")
    func batchedAppend() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        let writer = try LedgerWriter(directory: fixture.directory)
        let before = writer.commits
        let entries = try writer.append(
            (0..<300).map { LedgerDraft(actor: "keel", kind: "test", subject: "item-\($0)") })
        #expect(writer.commits == before + 1)
        #expect(entries.map(\.sequence) == Array(1...300))
        try writer.close()
        try expectIntact(fixture, entries: 300)
    }

    @Test("entries larger than 1 MiB are refused before anything is written")
    func oversized() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(1)
        let writer = try LedgerWriter(directory: fixture.directory)
        let big = String(repeating: "x", count: 1 << 20)
        #expect {
            _ = try writer.append([LedgerDraft(actor: "keel", kind: "test", subject: big)])
        } throws: { error in
            (error as? LedgerError)?.code == .badInput
        }
        try writer.close()
        try expectIntact(fixture, entries: 1)
    }
}
