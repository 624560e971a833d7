import Foundation
import KeelFormats
import KeelLedger
import KeelTesting
import Testing

/// Each kind of tampering, caught by `keel ledger verify` and by tools/verify-ledger.py alike,
/// both naming the right sequence number.
@Suite("Tampering is caught by both verifiers", .ownThreads)
struct TamperingTests {
    static let count = 24

    /// Runs both verifiers and expects both to fail naming `sequence`.
    private func expectCaught(_ fixture: LedgerFixture, at sequence: Int, _ what: String) throws {
        let (status, line) = try fixture.keelVerify()
        #expect(status == 1, "keel accepted: \(what)")
        #expect(line.hasPrefix("entry \(sequence):"), "keel, \(what): \(line)")
        let (pythonStatus, pythonLine) = try fixture.pythonVerify()
        #expect(pythonStatus == 1, "python accepted: \(what)")
        #expect(pythonLine.hasPrefix("entry \(sequence):"), "python, \(what): \(pythonLine)")
        #expect(line == pythonLine, "the verifiers disagree on \(what)")
    }

    private func freshLedger() throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        try fixture.fill(Self.count)
        let (status, line) = try fixture.keelVerify()
        #expect(status == 0, "\(line)")
        let (pythonStatus, pythonLine) = try fixture.pythonVerify()
        #expect(pythonStatus == 0, "\(pythonLine)")
        #expect(line == pythonLine)
        return fixture
    }

    @Test("flipping any byte of any entry names that entry")
    func flippedBytes() throws {
        let fixture = try freshLedger()
        defer { fixture.temporary.remove() }
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let original = try fixture.read("entries")
        let records = try fixture.records()
        for _ in 0..<16 {
            let sequence = Int.random(in: 1...Self.count, using: &random)
            let range = records[sequence - 1]
            let offset = Int.random(in: range, using: &random)
            var bytes = original
            bytes[offset] ^= UInt8.random(in: 1...255, using: &random)
            try fixture.write("entries", bytes)
            try expectCaught(
                fixture, at: sequence, "byte \(offset - range.lowerBound) of entry \(sequence) (seed \(seed))")
        }
        try fixture.write("entries", original)
        #expect(try fixture.keelVerify().0 == 0)
    }

    @Test("deleting, duplicating, swapping or inserting entries names the right one", arguments: [1, 7, 16])
    func reordered(sequence: Int) throws {
        let fixture = try freshLedger()
        defer { fixture.temporary.remove() }
        let original = try fixture.read("entries")
        let records = try fixture.records()
        let record = { (n: Int) in Array(original[records[n - 1]]) }
        let head = Array(original[..<records[sequence - 1].lowerBound])
        let rest = { (n: Int) in Array(original[records[n - 1].lowerBound...]) }

        try fixture.write("entries", head + rest(sequence + 1))
        try expectCaught(fixture, at: sequence, "entry \(sequence) deleted")

        try fixture.write("entries", head + record(sequence) + rest(sequence))
        try expectCaught(fixture, at: sequence + 1, "entry \(sequence) duplicated")

        try fixture.write("entries", head + record(sequence + 1) + record(sequence) + rest(sequence + 2))
        try expectCaught(fixture, at: sequence, "entries \(sequence) and \(sequence + 1) swapped")

        let entries = try fixture.entries()
        let forged = LedgerEntry(
            sequence: UInt64(sequence), time: 0, actor: "keel", kind: "test", subject: "inserted", details: "{}",
            previousHash: sequence > 1 ? entries[sequence - 2].hash : .zero)
        try fixture.write("entries", head + EntryEncoding.record(of: forged).record + rest(sequence))
        try expectCaught(fixture, at: sequence, "a forged entry inserted before entry \(sequence)")
    }

    @Test("truncating the entries names the first entry cut")
    func truncated() throws {
        let fixture = try freshLedger()
        defer { fixture.temporary.remove() }
        let original = try fixture.read("entries")
        let records = try fixture.records()
        try fixture.write("entries", Array(original[..<records[19].lowerBound]))
        try expectCaught(fixture, at: 20, "entries 20… cut off")
        try fixture.write("entries", Array(original[..<(records[9].lowerBound + 30)]))
        try expectCaught(fixture, at: 10, "entry 10 cut in half")
        try fixture.write("entries", Array(original[..<records[Self.count - 1].lowerBound]))
        try expectCaught(fixture, at: Self.count, "the last entry cut off")
    }

    @Test("a self-consistent forged tail is caught by the signed checkpoints", arguments: [1, 9, 24])
    func forgedTail(from sequence: Int) throws {
        let fixture = try freshLedger()
        defer { fixture.temporary.remove() }
        try fixture.forgeTail(from: sequence)
        try expectCaught(fixture, at: sequence, "a forged chain from entry \(sequence)")
    }

    @Test("a checkpoint whose signature is replaced is caught")
    func replacedSignature() throws {
        let fixture = try freshLedger()
        defer { fixture.temporary.remove() }
        let lines = String(decoding: try fixture.read("checkpoints"), as: UTF8.self).split(separator: "\n").map(
            String.init)
        var checkpoint = try Checkpoint(line: lines[11])
        let name = checkpoint.keyName
        let impostor = try SigningSecretKey.generate(name: name)
        checkpoint.signature = impostor.sign(
            Checkpoint.signedMessage(size: checkpoint.size, root: checkpoint.root, time: checkpoint.time))
        var changed = lines
        changed[11] = checkpoint.line
        try fixture.write("checkpoints", Array((changed.joined(separator: "\n") + "\n").utf8))
        try expectCaught(fixture, at: Int(checkpoint.size), "checkpoint \(checkpoint.size) re-signed by another key")
    }

    @Test("verifying with another key, or against a witness copy of a checkpoint, works as a third party would")
    func trust() throws {
        let fixture = try freshLedger()
        defer { fixture.temporary.remove() }
        let stranger = try SigningSecretKey.generate(name: "stranger")
        let keyFile = fixture.temporary.appending("stranger.pub")
        try Data(stranger.publicKey.text.utf8).write(to: URL(fileURLWithPath: keyFile))
        let (status, line) = try fixture.keelVerify(["--key", keyFile])
        #expect(status == 1)
        #expect(line.contains("not trusted"))

        let witness = fixture.temporary.appending("witness")
        let printed = try KeelBinary.run(["ledger", "checkpoint", "--print", "--root", fixture.root])
        #expect(printed.status == 0)
        try Data(printed.standardOutput).write(to: URL(fileURLWithPath: witness))
        #expect(try fixture.keelVerify(["--checkpoint", witness]).0 == 0)
        // Rewrite the log and its own checkpoints: only the witness copy still knows.
        try fixture.forgeTail(from: 5)
        try fixture.write("checkpoints", [])
        let (forgedStatus, forgedLine) = try fixture.keelVerify(["--checkpoint", witness])
        #expect(forgedStatus == 1)
        #expect(forgedLine.hasPrefix("entry 1:") && forgedLine.contains("witness"), "\(forgedLine)")
    }
}
