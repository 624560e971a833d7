import Foundation
import KeelTesting
import Testing

@Suite("keel switch SIGKILLed at random moments leaves a complete current generation", .ownThreads)
struct SwitchCrashTests {
    /// Source packages the crash host adds; one of them changes every round.
    static let sourceCount = 4
    /// Files in each source package.
    static let filesPerSource = 40
    /// Switches to stop.
    static let kills = 50

    /// How long `work` takes, in microseconds.
    static func microseconds(_ work: () throws -> Void) rethrows -> UInt32 {
        let duration = try ContinuousClock().measure(work)
        return UInt32(
            clamping: duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000)
    }

    /// A host whose switch does real work every round: source packages to hash and add (one of
    /// them new each round), a derivation built with busybox from two of them (new each round),
    /// and the system path.
    static func writeRound(_ round: Int, in fixture: HostFixture, random: inout SeededGenerator) throws {
        let changed = round % sourceCount
        try fixture.write("s\(changed)/round", "round \(round)\n")
        try fixture.write("s\(changed)/noise", bytes: random.bytes(Int.random(in: 1...8192, using: &random)))
        var config = """
            [host]
            name = "crash"

            [packages.tools]
            src = "./tools"

            """
        for index in 0..<sourceCount { config += "[packages.s\(index)]\nsrc = \"./s\(index)\"\n\n" }
        config += """
            [packages.built]
            builder = "${packages.tools}/bin/busybox"
            args = ["sh", "-c", "$bb mkdir $out && $bb cp -r ${packages.s0} ${packages.s1} $out/ && $bb sha256sum ${packages.s2}/* > $out/sums && echo round \(round) > $out/round"]
            env = { bb = "${packages.tools}/bin/busybox" }

            [agents.worker]
            command = ["${packages.built}/round"]
            env = { ROUND = "\(round)" }
            """
        try fixture.writeConfig(config)
    }

    /// What is wrong with generation link `entry` (nil when it is complete): it must point at a
    /// system path whose manifest parses and whose packages all exist.
    static func problem(ofLink entry: String, in fixture: HostFixture) -> String? {
        let link = fixture.root + "/profiles/" + entry
        guard let system = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else {
            return "\(entry) is not a symlink"
        }
        guard let manifest = try? HostFixture.manifest(of: system) else { return "\(entry): \(system) has no manifest" }
        guard manifest["version"] as? Int == 1, let packages = manifest["packages"] as? [String: [String: Any]],
            packages.count == sourceCount + 2, manifest["agents"] is [String: Any]
        else { return "\(entry): \(system)'s manifest is not a whole system manifest" }
        for (name, package) in packages {
            guard let path = package["path"] as? String, FileManager.default.fileExists(atPath: path) else {
                return "\(entry): package '\(name)' of \(system) is missing"
            }
        }
        return nil
    }

    /// Checks the profile after a kill: `system` resolves to a generation, every generation link
    /// is complete, and the store holds every generation's closure.
    static func checkProfile(_ fixture: HostFixture, context: String) throws {
        let current = try #require(
            try? FileManager.default.destinationOfSymbolicLink(atPath: fixture.profile), "no profile link; \(context)")
        #expect(HostFixture.generationNumber(current) != nil, "the profile names \(current); \(context)")
        #expect(
            problem(ofLink: current, in: fixture) == nil, "\(problem(ofLink: current, in: fixture) ?? ""); \(context)")
        for number in fixture.generationNumbers() {
            let issue = problem(ofLink: "system-\(number)-link", in: fixture)
            #expect(issue == nil, "\(issue ?? ""); \(context)")
        }
        let listed = try fixture.keelWithStore(["generations", "--json"])
        #expect(listed.status == 0, "\(listed.errorOutput); \(context)")
        for generation in try HostFixture.objects(listed) {
            #expect(generation["closure_size"] is Int, "generation \(generation) is not valid in the store; \(context)")
        }
        #expect(try HostFixture.objects(listed).filter { $0["current"] as? Bool == true }.count == 1, "\(context)")
    }

    @Test(
        "50 SIGKILLs during switches: the profile and every generation stay whole, the next switch works, the store verifies"
    )
    func killedSwitches() throws {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let fixture = try HostFixture(prefix: "keel-crash")
        defer { fixture.remove() }
        try fixture.addBusybox()
        for index in 0..<Self.sourceCount {
            for file in 0..<Self.filesPerSource {
                try fixture.write("s\(index)/f\(file)", bytes: random.bytes(Int.random(in: 100...4000, using: &random)))
            }
        }
        try Self.writeRound(0, in: fixture, random: &random)
        try fixture.switchExpectingSuccess()
        // The kills are spread between the moment keel is up (the time `keel --version` takes)
        // and the end of a switch that builds a new round (its time measured here, narrowed
        // whenever a killed switch turns out to have finished first), every other one in the
        // last quarter, where the generation is made and flipped.
        // The quickest of three: a start measured while the machine is busy would put every kill
        // after the end of a switch made when it is not.
        var startup = try (0..<3).map { _ in try Self.microseconds { _ = try fixture.keel(["--version"]) } }.min() ?? 0
        try Self.writeRound(1, in: fixture, random: &random)
        var span = max(startup + 1_000, try Self.microseconds { try fixture.switchExpectingSuccess() })

        var generations = fixture.generationNumbers()
        var interrupted = 0
        var round = 2
        while interrupted < Self.kills && round < Self.kills + 40 {
            defer { round += 1 }
            try Self.writeRound(round, in: fixture, random: &random)
            let earliest = round % 2 == 0 ? startup : max(startup, span - span / 4)
            let delay = UInt32.random(in: earliest...span, using: &random)
            let context = "seed \(seed) (KEEL_TEST_SEED), round \(round), killed after \(delay) µs of \(span) µs"
            try KeelBinary.runKilled(
                ["switch", "-f", fixture.configFile] + fixture.storeArguments, afterMicroseconds: delay)
            try Self.checkProfile(fixture, context: context)
            let killedGenerations = fixture.generationNumbers()
            #expect(killedGenerations.starts(with: generations), "a generation vanished; \(context)")

            // The next switch of the same configuration works and makes it current.
            let following = try fixture.switchSystem(["--json"])
            #expect(following.status == 0, "\(following.transcript); \(context)")
            let outcome = try HostFixture.object(following)
            let path = outcome["path"] as? String
            #expect(
                path != nil && path == fixture.currentGeneration().flatMap(fixture.systemPath(ofGeneration:)),
                "\(context)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/profiles")
                .filter { $0.hasPrefix(".system-keel-") }
            #expect(leftovers.isEmpty, "temporary links left after the next switch: \(leftovers); \(context)")
            generations = fixture.generationNumbers()
            #expect(generations.starts(with: killedGenerations), "\(context)")
            // A kill counts when it stopped the switch before its generation was current; when
            // the switch had got that far, it took less than `delay`, and keel's start less still.
            if outcome["new"] as? Bool == true {
                interrupted += 1
            } else {
                startup = min(startup, delay / 2)
                span = max(startup + 1_000, delay)
            }
        }
        #expect(interrupted == Self.kills, "only \(interrupted) of \(round - 2) kills stopped a switch; seed \(seed)")
        try Self.checkProfile(fixture, context: "seed \(seed), at the end")
        let verified = try fixture.keelWithStore(["store", "verify", "--check-contents"])
        #expect(verified.status == 0, "\(verified.transcript); seed \(seed)")
        let ledger = try fixture.keel(["ledger", "verify", "--root", fixture.root])
        #expect(ledger.status == 0, "\(ledger.transcript); seed \(seed)")
        // Collecting garbage after the crashes keeps every generation's closure.
        let collected = try fixture.keelWithStore(["store", "gc"])
        #expect(collected.status == 0, "\(collected.transcript); seed \(seed)")
        try Self.checkProfile(fixture, context: "seed \(seed), after gc")
        #expect(try fixture.keelWithStore(["store", "verify", "--check-contents"]).status == 0, "seed \(seed)")
    }
}
