import Foundation
import KeelLedger
import KeelTesting
import Synchronization
import Testing

/// Real `keel` processes: concurrent writers, SIGKILL at random moments, proofs, the log.
@Suite("Ledger commands as processes", .ownThreads)
struct LedgerProcessTests {
    private func jsonl(_ count: Int, prefix: String) -> [UInt8] {
        Array(
            (0..<count).map { #"{"kind":"test","subject":"\#(prefix)-\#($0)","details":{"i":\#($0)}}"# }
                .joined(separator: "\n").utf8)
    }

    @Test("four writers appending at once to a new ledger: one key, every entry once, in one intact chain")
    func concurrentWriters() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        let results = Mutex<[ProcessResult]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            let input = jsonl(700, prefix: "w\(writer)")
            if let result = try? KeelBinary.run(
                ["ledger", "append", "--root", fixture.root, "--jsonl", "-"], input: input)
            {
                results.withLock { $0.append(result) }
            }
        }
        let finished = results.withLock { $0 }
        #expect(finished.count == 4)
        var covered = Set<Int>()
        for result in finished {
            #expect(result.status == 0, "\(result.errorOutput)")
            let parts = result.output.split(separator: " ").compactMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            #expect(parts.count == 2)
            if parts.count == 2 { covered.formUnion(parts[0]...parts[1]) }
        }
        #expect(covered.count >= 2800)
        let entries = try fixture.entries()
        #expect(entries.count == 2800)
        #expect(Set(entries.map(\.subject)).count == 2800)
        let (status, line) = try fixture.keelVerify()
        #expect(status == 0, "\(line)")
        #expect(line.hasPrefix("ledger intact: 2800 entries"))
    }

    @Test("SIGKILLed writers lose no acknowledged entry; the next writer cuts any torn tail; verify passes")
    func killedWriters() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        let input = fixture.temporary.appending("input.jsonl")
        try Data(jsonl(3000, prefix: "bulk")).write(to: URL(fileURLWithPath: input))
        let started = Date()
        let warmUp = try KeelBinary.run(["ledger", "append", "--root", fixture.root, "--jsonl", input])
        #expect(warmUp.status == 0)
        let typical = max(UInt32(Date().timeIntervalSince(started) * 1_000_000), 20_000)
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        var acknowledged: [(UInt64, String)] = []
        for round in 0..<50 {
            try KeelBinary.runKilled(
                ["ledger", "append", "--root", fixture.root, "--jsonl", input],
                afterMicroseconds: UInt32.random(in: 0...(typical + typical / 4), using: &random))
            let subject = "ack-\(round)"
            let ack = try KeelBinary.run([
                "ledger", "append", "--root", fixture.root, "--kind", "test", "--subject", subject,
            ])
            #expect(ack.status == 0, "round \(round) (seed \(seed)): \(ack.errorOutput)")
            if let sequence = UInt64(ack.output.trimmingCharacters(in: .whitespacesAndNewlines)) {
                acknowledged.append((sequence, subject))
            }
            if round % 10 == 9 {
                let (status, line) = try fixture.keelVerify()
                #expect(status == 0, "round \(round) (seed \(seed)): \(line)")
            }
        }
        let entries = try fixture.entries()
        for (sequence, subject) in acknowledged {
            #expect(entries[Int(sequence) - 1].subject == subject, "acknowledged entry \(sequence) lost (seed \(seed))")
        }
        let (status, line) = try fixture.keelVerify()
        #expect(status == 0, "\(line) (seed \(seed))")
        let (pythonStatus, pythonLine) = try fixture.pythonVerify()
        #expect(pythonStatus == 0, "\(pythonLine) (seed \(seed))")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path)
            .filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("inclusion and consistency proofs check against the trusted key and fail against any other")
    func proofs() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(37, checkpointEach: false)
        let proofFile = fixture.temporary.appending("proof.json")
        for sequence in [1, 2, 17, 36, 37] {
            let proof = try KeelBinary.run(["ledger", "prove", "--root", fixture.root, "\(sequence)"])
            #expect(proof.status == 0, "\(proof.errorOutput)")
            #expect(proof.errorOutput.isEmpty)
            try Data(proof.standardOutput).write(to: URL(fileURLWithPath: proofFile))
            let checked = try KeelBinary.run(["ledger", "check-proof", "--root", fixture.root, proofFile])
            #expect(checked.status == 0, "\(checked.errorOutput)")
            #expect(checked.output.hasPrefix("ok: entry \(sequence) "))
            // The same proof, claiming another subject, fails.
            let forged = proof.output.replacingOccurrences(of: "subject-\(sequence)\"", with: "subject-0\"")
            try Data(forged.utf8).write(to: URL(fileURLWithPath: proofFile))
            #expect(try KeelBinary.run(["ledger", "check-proof", "--root", fixture.root, proofFile]).status == 1)
        }
        let stranger = fixture.temporary.appending("stranger.pub")
        try Data("stranger:\(Data(repeating: 7, count: 32).base64EncodedString())".utf8)
            .write(to: URL(fileURLWithPath: stranger))
        for (old, new) in [(1, 37), (20, 37), (37, 37), (0, 37)] {
            let proof = try KeelBinary.run(["ledger", "consistency", "--root", fixture.root, "\(old)", "\(new)"])
            #expect(proof.status == 0, "\(proof.errorOutput)")
            try Data(proof.standardOutput).write(to: URL(fileURLWithPath: proofFile))
            let checked = try KeelBinary.run(["ledger", "check-proof", "--root", fixture.root, proofFile])
            #expect(checked.status == 0, "\(old)->\(new): \(checked.errorOutput)")
            let strangers = try KeelBinary.run([
                "ledger", "check-proof", "--root", fixture.root, proofFile, "--key", stranger,
            ])
            #expect(strangers.status == 1)
        }
        #expect(try KeelBinary.run(["ledger", "prove", "--root", fixture.root, "38"]).status == 1)
    }

    @Test("log filters by kind, subject and time, prints JSON, and follows new entries")
    func log() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        for (kind, subject) in [("switch", "gen-1"), ("gc", "store"), ("switch", "gen-2")] {
            let result = try KeelBinary.run([
                "ledger", "append", "--root", fixture.root, "--kind", kind, "--subject", subject, "--details",
                #"{"z":1,"a":"b/c"}"#,
            ])
            #expect(result.status == 0, "\(result.errorOutput)")
        }
        let switches = try KeelBinary.run(["ledger", "log", "--root", fixture.root, "--kind", "switch"])
        #expect(switches.output.split(separator: "\n").count == 2)
        let json = try KeelBinary.run(["ledger", "log", "--root", fixture.root, "--json", "--subject", "store"])
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput)) as? [String: Any]
        #expect(object?["kind"] as? String == "gc")
        #expect((object?["details"] as? [String: Any])?["a"] as? String == "b/c")
        let future = try KeelBinary.run(["ledger", "log", "--root", fixture.root, "--since", "2999-01-01T00:00:00Z"])
        #expect(future.output.isEmpty)
        #expect(try KeelBinary.run(["ledger", "log", "--root", fixture.root, "--since", "yesterday"]).status == 2)

        // -f prints what is appended after it started.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KeelBinary.path)
        process.arguments = ["ledger", "log", "--root", fixture.root, "-f", "--kind", "agent.start"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let appended = try KeelBinary.run([
            "ledger", "append", "--root", fixture.root, "--kind", "agent.start", "--subject", "bot",
        ])
        #expect(appended.status == 0)
        var seen = ""
        while !seen.contains("\tagent.start\tbot\t") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("\tagent.start\tbot\t"))
    }

    @Test("bad input is refused with a clear message and nothing is appended")
    func badInput() throws {
        let fixture = try LedgerFixture()
        defer { fixture.temporary.remove() }
        try fixture.fill(2)
        let cases: [([String], [UInt8], String)] = [
            (["--kind", "Bad Kind", "--subject", "s"], [], "invalid kind"),
            (["--kind", "ledger.recovered", "--subject", "s"], [], "reserved"),
            (["--kind", "ok", "--subject", "s", "--details", "[1]"], [], "JSON object"),
            (["--jsonl", "-"], Array("{\"kind\":\"ok\",\"subject\":\"a\"}\nnot json\n".utf8), "stdin:2:"),
        ]
        for (arguments, input, message) in cases {
            let result = try KeelBinary.run(["ledger", "append", "--root", fixture.root] + arguments, input: input)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.errorOutput.contains(message), "\(result.errorOutput)")
        }
        #expect(try fixture.entries().count == 2)
        #expect(try KeelBinary.run(["ledger", "append", "--root", fixture.root, "--kind", "x"]).status == 2)
        let missing = try KeelBinary.run(["ledger", "verify", "--root", fixture.temporary.appending("nothing")])
        #expect(missing.status == 1)
    }
}
