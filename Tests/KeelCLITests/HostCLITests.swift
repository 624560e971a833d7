import Foundation
import KeelLinux
import KeelTesting
import Testing

@Suite("keel init, eval, lock, switch, rollback, generations and diff on a host's keel.toml", .ownThreads)
struct HostCLITests {
    /// A host with one source package whose contents are `value` and one agent using it.
    static func simpleHost(_ fixture: HostFixture, value: String, agentArgument: String = "serve") throws {
        try fixture.write("data/value", value)
        try fixture.writeConfig(
            """
            [host]
            name = "simple"

            [packages.data]
            src = "./data"

            [agents.worker]
            command = ["/bin/sh", "-c", "cat ${packages.data}/value", "\(agentArgument)"]
            """)
    }

    // MARK: - eval

    @Test("eval prints the system path and writes nothing; --json is the manifest; switch makes that very path")
    func evalThenSwitch() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try Self.simpleHost(fixture, value: "one\n")
        let evaluated = try fixture.evalExpectingSuccess()
        #expect(evaluated.hasPrefix(fixture.storeDirectory + "/") && evaluated.hasSuffix("-keel-system-simple"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root), "eval created the root")
        #expect(!FileManager.default.fileExists(atPath: fixture.storeDirectory), "eval created the store directory")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fixture.configDirectory).sorted() == [
                "data", "keel.toml",
            ])

        let json = try fixture.eval(["--json"])
        #expect(json.status == 0, "\(json.errorOutput)")
        let manifest = try HostFixture.object(json)
        #expect(manifest["version"] as? Int == 1)
        #expect((manifest["host"] as? [String: Any])?["name"] as? String == "simple")
        let agents = try #require(manifest["agents"] as? [String: [String: Any]])
        let data = try #require((manifest["packages"] as? [String: [String: Any]])?["data"]?["path"] as? String)
        #expect(agents["worker"]?["command"] as? [String] == ["/bin/sh", "-c", "cat \(data)/value", "serve"])
        #expect(!FileManager.default.fileExists(atPath: fixture.root))

        let switched = try fixture.switchExpectingSuccess()
        #expect(switched == evaluated)
        #expect(try fixture.evalExpectingSuccess() == evaluated)
        // manifest.json in the system path holds exactly what eval --json printed.
        #expect(FileManager.default.contents(atPath: switched + "/manifest.json") == Data(json.standardOutput))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: switched + "/packages/data") == data)
    }

    @Test("same keel.toml and keel.lock: the same system path under two roots, and from a copy elsewhere")
    func evalIsReproducible() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.write("files/payload", "pinned download\n")
        try fixture.write("data/value", "reproducible\n")
        try fixture.writeConfig(
            """
            [host]
            name = "repro"

            [packages.data]
            src = "./data"

            [packages.payload]
            url = "file://\(fixture.configDirectory)/files/payload"

            [agents.worker]
            command = ["${packages.payload}", "${packages.data}"]
            """)
        #expect(try fixture.lock().status == 0)
        let first = try fixture.evalExpectingSuccess()
        let otherRoot = try fixture.keel(
            [
                "eval", "-f", fixture.configFile, "--root", fixture.temporary.appending("other-root"), "--store-dir",
                fixture.storeDirectory,
            ])
        #expect(otherRoot.status == 0, "\(otherRoot.errorOutput)")
        #expect(otherRoot.output == first + "\n")

        let copy = fixture.temporary.appending("checkout")
        try FileManager.default.copyItem(atPath: fixture.configDirectory, toPath: copy)
        let fromCopy = try fixture.keel(
            [
                "eval", "-f", copy + "/keel.toml", "--root", fixture.temporary.appending("third-root"), "--store-dir",
                fixture.storeDirectory,
            ])
        #expect(fromCopy.output == first + "\n", "\(fromCopy.errorOutput)")
        #expect(try fixture.switchExpectingSuccess() == first)
    }

    @Test("a keel.toml with problems: each printed as FILE:LINE:COL, exit 1, nothing written")
    func evalProblems() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.writeConfig(
            """
            [host]
            name = "broken"

            [packages.data]
            src = "./missing"

            [agents.worker]
            command = ["${packages.nothere}/bin/x"]
            """)
        for result in [try fixture.eval(), try fixture.switchSystem()] {
            #expect(result.status == 1)
            let lines = result.errorOutput.split(separator: "\n")
            #expect(lines.count >= 2, "\(result.errorOutput)")
            for line in lines { #expect(line.hasPrefix(fixture.configFile + ":"), "\(line)") }
            #expect(result.errorOutput.contains("./missing") && result.errorOutput.contains("nothere"))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.root))
    }

    // MARK: - keel.lock

    /// Inputs of every kind keel.lock pins: two fetches, a Nix `.drv` (a `builtin:fetchurl`
    /// derivation nix-instantiate made, copied beside keel.toml) and two host paths.
    struct LockedHost {
        let fixture: HostFixture
        let nix: NixBuildOracle
        var hostFile: String { fixture.temporary.appending("host/b.conf") }
        var hostDirectory: String { fixture.temporary.appending("host/a") }
        var drvFile: String { fixture.configDirectory + "/pinned.drv" }

        init(_ fixture: HostFixture) throws {
            self.fixture = fixture
            let nixRoot = fixture.temporary.appending("nix")
            try FileManager.default.createDirectory(atPath: nixRoot, withIntermediateDirectories: true)
            nix = try NixBuildOracle(root: nixRoot, storeDirectory: fixture.storeDirectory)
            try fixture.write("files/zeta", "zeta\n")
            try fixture.write("files/alpha", "alpha\n")
            try fixture.write("files/pinned-1", "first pinned file\n")
            try fixture.write("files/pinned-2", "second pinned file\n")
            try FileManager.default.createDirectory(atPath: hostDirectory + "/sub", withIntermediateDirectories: true)
            try TestFiles.write(hostDirectory + "/sub/x", Array("x\n".utf8))
            try TestFiles.write(hostFile, Array("setting = 1\n".utf8))
            try pin("pinned-1")
            try fixture.writeConfig(config())
        }

        /// Writes pinned.drv: a fetch of `files/NAME` instantiated by nix.
        func pin(_ name: String) throws {
            let file = fixture.configDirectory + "/files/" + name
            let expression = fixture.temporary.appending("\(name).nix")
            try? FileManager.default.removeItem(atPath: expression)
            try TestFiles.write(
                expression,
                Array(
                    """
                    derivation {
                      name = "pinned"; system = "builtin"; builder = "builtin:fetchurl";
                      url = "file://\(file)"; outputHashMode = "flat"; outputHashAlgo = "sha256";
                      outputHash = "\(try fixture.nixFileHash(file))";
                    }
                    """.utf8))
            let drv = try #require(try nix.instantiate(expression).first)
            try fixture.write(
                "pinned.drv", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: nix.physicalPath(drv)))))
        }

        func config(extra: String = "", alpha: Bool = true) -> String {
            let alphaTable = alpha ? "[packages.alpha]\nurl = \"file://\(fixture.configDirectory)/files/alpha\"\n" : ""
            return """
                [host]
                name = "locked"

                [packages.zeta]
                url = "file://\(fixture.configDirectory)/files/zeta"

                \(alphaTable)
                [packages.pinned]
                drv = "./pinned.drv"
                \(extra)
                [agents.reader]
                command = ["${packages.zeta}", "${packages.pinned}"]
                host_paths = ["\(hostFile)", "\(hostDirectory)"]
                """
        }

        /// keel.lock as it must be for the inputs now.
        func expectedLock() throws -> String {
            let files = fixture.configDirectory + "/files/"
            return """
                # keel.lock: written by `keel lock` and `keel switch --update-lock`. Commit it with keel.toml.
                version = 1

                [fetch.alpha]
                url = "file://\(files)alpha"
                hash = "\(try fixture.nixFileHash(files + "alpha"))"

                [fetch.zeta]
                url = "file://\(files)zeta"
                hash = "\(try fixture.nixFileHash(files + "zeta"))"

                [drv.pinned]
                path = "./pinned.drv"
                hash = "\(try fixture.nixFileHash(drvFile))"

                [host_path."\(hostDirectory)"]
                nar_hash = "\(try fixture.nixTreeHash(hostDirectory))"

                [host_path."\(hostFile)"]
                nar_hash = "\(try fixture.nixTreeHash(hostFile))"

                """
        }
    }

    @Test("keel lock writes every input's hash, sorted; running it again changes nothing")
    func lockIsSortedAndStable() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let host = try LockedHost(fixture)
        let first = try fixture.lock()
        #expect(first.status == 0, "\(first.errorOutput)")
        #expect(first.output.contains("5 inputs locked"))
        #expect(fixture.lockText() == (try host.expectedLock()))
        let inode = try FileManager.default.attributesOfItem(atPath: fixture.lockFile)[.systemFileNumber] as? Int

        let second = try fixture.lock(["--json"])
        #expect(second.status == 0)
        #expect(try HostFixture.object(second)["changed"] as? Bool == false)
        #expect(fixture.lockText() == (try host.expectedLock()))
        #expect(try FileManager.default.attributesOfItem(atPath: fixture.lockFile)[.systemFileNumber] as? Int == inode)
        #expect(!second.errorOutput.contains("downloading"), "a locked fetch is not downloaded again")

        // What keel.toml no longer declares leaves keel.lock.
        try fixture.writeConfig(host.config(alpha: false))
        #expect(try fixture.lock().status == 0)
        #expect(fixture.lockText()?.contains("[fetch.alpha]") == false)
        #expect(fixture.lockText()?.contains("[fetch.zeta]") == true)
    }

    @Test(
        "switch refuses an unlocked fetch, a changed host path and a changed .drv, naming both hashes; --update-lock fixes each"
    )
    func switchRefusesStaleLock() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let host = try LockedHost(fixture)
        #expect(try fixture.lock().status == 0)
        let first = try fixture.switchExpectingSuccess()
        let manifest = try HostFixture.manifest(of: first)
        let hostPaths = (manifest["agents"] as? [String: [String: Any]])?["reader"]?["host_paths"] as? [String: String]
        #expect(hostPaths?[host.hostFile] == (try fixture.nixTreeHash(host.hostFile)))

        /// Runs a switch that must be refused with lines holding each of `pieces`, and checks
        /// nothing changed.
        func expectRefused(_ pieces: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let lock = fixture.lockText()
            let generations = fixture.generationNumbers()
            let current = fixture.currentGeneration()
            let refused = try fixture.switchSystem()
            #expect(refused.status == 1, "\(refused.transcript)", sourceLocation: sourceLocation)
            for piece in pieces {
                #expect(
                    refused.errorOutput.contains(piece), "no '\(piece)' in: \(refused.errorOutput)",
                    sourceLocation: sourceLocation)
            }
            #expect(refused.errorOutput.hasPrefix(fixture.configFile + ":"), sourceLocation: sourceLocation)
            #expect(refused.output.isEmpty, sourceLocation: sourceLocation)
            #expect(fixture.lockText() == lock, "a refused switch rewrote keel.lock", sourceLocation: sourceLocation)
            #expect(try fixture.eval().status == 1, "eval accepts what switch refuses", sourceLocation: sourceLocation)
            #expect(fixture.generationNumbers() == generations, sourceLocation: sourceLocation)
            #expect(fixture.currentGeneration() == current, sourceLocation: sourceLocation)
        }

        // A host path written to after locking.
        let lockedHostHash = try fixture.nixTreeHash(host.hostFile)
        try TestFiles.write(host.hostFile + ".new", Array("setting = 2\n".utf8))
        try FileManager.default.removeItem(atPath: host.hostFile)
        try FileManager.default.moveItem(atPath: host.hostFile + ".new", toPath: host.hostFile)
        let changedHostHash = try fixture.nixTreeHash(host.hostFile)
        try expectRefused(["host path '\(host.hostFile)' changed", lockedHostHash, changedHostHash])
        try fixture.switchExpectingSuccess(["--update-lock"])
        #expect(fixture.lockText() == (try host.expectedLock()))
        #expect(fixture.generationNumbers() == [1, 2])

        // A .drv file replaced after locking.
        let lockedDrvHash = try fixture.nixFileHash(host.drvFile)
        try host.pin("pinned-2")
        let changedDrvHash = try fixture.nixFileHash(host.drvFile)
        try expectRefused(["package 'pinned'", "./pinned.drv", lockedDrvHash, changedDrvHash])
        let third = try fixture.switchExpectingSuccess(["--update-lock"])
        let pinned = try HostFixture.packagePath("pinned", in: third)
        #expect(try String(contentsOfFile: pinned, encoding: .utf8) == "second pinned file\n")
        #expect(fixture.generationNumbers() == [1, 2, 3])

        // A fetch keel.lock does not know yet.
        try fixture.write("files/late", "late\n")
        try fixture.writeConfig(
            host.config(extra: "\n[packages.late]\nurl = \"file://\(fixture.configDirectory)/files/late\"\n"))
        try expectRefused(["package 'late'", "files/late\" is not locked"])
        try fixture.switchExpectingSuccess(["--update-lock"])
        #expect(fixture.lockText()?.contains("[fetch.late]") == true)
        #expect(fixture.generationNumbers() == [1, 2, 3, 4])

        // All three at once: every problem is reported in one run.
        try TestFiles.write(host.hostDirectory + "/sub/y", Array("y\n".utf8))
        try host.pin("pinned-1")
        try fixture.write("files/later", "later\n")
        try fixture.writeConfig(
            host.config(extra: "\n[packages.late]\nurl = \"file://\(fixture.configDirectory)/files/later\"\n"))
        try expectRefused([
            "host path '\(host.hostDirectory)' changed", "'./pinned.drv' changed", "package 'late': url changed",
        ])
        #expect(try fixture.keelWithStore(["store", "verify", "--check-contents"]).status == 0)
    }

    // MARK: - generations

    /// `nix-env --list-generations` of the fixture's profile: (number, time text, current).
    static func nixGenerations(_ fixture: HostFixture) throws -> [(Int, String, Bool)] {
        var environment = try fixture.nix().environment
        environment["TZ"] = "UTC"
        let result = try ProcessRunner.run(
            "nix-env", ["--list-generations", "-p", fixture.profile], environment: environment)
        #expect(result.status == 0, "\(result.errorOutput)")
        return result.output.split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let time = fields.count >= 3 ? "\(fields[1]) \(fields[2])" : ""
            return (Int(fields.first ?? "") ?? -1, time, line.hasSuffix("(current)"))
        }
    }

    @Test(
        "switch records generation N+1 behind system → system-N-link; unchanged config makes none; nix-env lists them")
    func generationsAndNixEnv() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try Self.simpleHost(fixture, value: "one\n")
        let first = try fixture.switchExpectingSuccess()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.profile) == "system-1-link")
        #expect(fixture.systemPath(ofGeneration: 1) == first)

        // The same system again, even from a keel.toml with a new comment: no new generation.
        let again = try fixture.switchSystem(["--json"])
        #expect(again.status == 0)
        #expect(try HostFixture.object(again)["new"] as? Bool == false)
        try fixture.writeConfig(try String(contentsOfFile: fixture.configFile, encoding: .utf8) + "# a comment\n")
        let commented = try fixture.switchSystem()
        #expect(commented.output.contains("generation 1 is already current"), "\(commented.transcript)")
        #expect(fixture.generationNumbers() == [1])

        try Self.simpleHost(fixture, value: "two\n")
        let switched = try fixture.switchSystem(["--json"])
        let outcome = try HostFixture.object(switched)
        #expect(
            outcome["generation"] as? Int == 2 && outcome["previous"] as? Int == 1 && outcome["new"] as? Bool == true)
        let second = try #require(outcome["path"] as? String)
        #expect(second != first)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.profile) == "system-2-link")
        #expect(fixture.systemPath(ofGeneration: 2) == second)
        #expect(fixture.systemPath(ofGeneration: 1) == first, "a switch never touches the previous generation")

        let listed = try fixture.keelWithStore(["generations", "--json"])
        #expect(listed.status == 0, "\(listed.errorOutput)")
        let generations = try HostFixture.objects(listed)
        #expect(generations.map { $0["number"] as? Int } == [1, 2])
        #expect(generations.map { $0["path"] as? String } == [first, second])
        #expect(generations.map { $0["current"] as? Bool } == [false, true])
        #expect(generations.map { $0["status"] as? String } == ["pending", "pending"])
        let formatter = ISO8601DateFormatter()
        for generation in generations {
            #expect((generation["time"] as? String).flatMap(formatter.date(from:)) != nil, "\(generation)")
            #expect(generation["config_hash"] is String)
        }
        // closure_size: the NAR size of the system's whole closure, as the store records it.
        let closure = try fixture.keelWithStore(["store", "closure", second]).output.split(separator: "\n")
        var size = 0
        for member in closure {
            size +=
                try HostFixture.object(try fixture.keelWithStore(["store", "info", "--json", String(member)]))[
                    "narSize"]
                as? Int ?? 0
        }
        #expect(closure.count == 2 && size > 0)
        #expect(generations.last?["closure_size"] as? Int == size)

        // nix-env reads the same profile: the same numbers, times and current generation.
        let nixListed = try Self.nixGenerations(fixture)
        #expect(nixListed.map(\.0) == [1, 2])
        #expect(nixListed.map(\.2) == [false, true])
        let keelTimes = generations.compactMap { ($0["time"] as? String)?.replacingOccurrences(of: "T", with: " ") }
        #expect(nixListed.map { $0.1 + "Z" } == keelTimes)
        let text = try fixture.keelWithStore(["generations"])
        #expect(text.output.split(separator: "\n").count == 2)
        #expect(text.output.split(separator: "\n").last?.contains("current") == true)

        // nix-env can change the profile too (under the same lock file), and Keel follows it.
        var environment = try fixture.nix().environment
        environment["NIX_STORE_DIR"] = fixture.storeDirectory
        let nixSwitch = try ProcessRunner.run(
            "nix-env", ["--switch-generation", "1", "-p", fixture.profile], environment: environment)
        #expect(nixSwitch.status == 0, "\(nixSwitch.errorOutput)")
        let afterNix = try HostFixture.objects(try fixture.keelWithStore(["generations", "--json"]))
        #expect(afterNix.map { $0["current"] as? Bool } == [true, false])
        #expect(try fixture.keelWithStore(["switch", "--to", "2"]).status == 0)
        #expect(try Self.nixGenerations(fixture).map(\.2) == [false, true])
    }

    @Test("a generation records keel.toml's hash and the git commit checked out, loose or packed")
    func generationRecordsConfiguration() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try Self.simpleHost(fixture, value: "one\n")
        func git(_ arguments: [String]) throws -> String {
            let result = try ProcessRunner.run(
                "git",
                ["-C", fixture.configDirectory, "-c", "user.name=Keel Test", "-c", "user.email=test@keel.invalid"]
                    + arguments)
            #expect(result.status == 0, "git \(arguments): \(result.errorOutput)")
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git(["init", "-q", "-b", "main"])
        _ = try git(["add", "."])
        _ = try git(["commit", "-q", "-m", "first"])
        let first = try git(["rev-parse", "HEAD"])
        try fixture.switchExpectingSuccess()

        _ = try git(["pack-refs", "--all"])
        try Self.simpleHost(fixture, value: "two\n")
        try fixture.switchExpectingSuccess()

        let generations = try HostFixture.objects(try fixture.keelWithStore(["generations", "--json"]))
        #expect(generations.map { $0["git_commit"] as? String } == [first, first])
        let hashes = generations.compactMap { $0["config_hash"] as? String }
        #expect(hashes.count == 2 && hashes[0] == hashes[1], "keel.toml itself did not change")
        #expect(hashes.last == (try fixture.nixFileHash(fixture.configFile)))
    }

    @Test("rollback goes to the previous generation, switch --to N to any; each is one flip nix-env sees")
    func rollbackAndSwitchTo() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        var paths: [String] = []
        for value in ["one", "two", "three"] {
            try Self.simpleHost(fixture, value: value)
            paths.append(try fixture.switchExpectingSuccess())
        }
        let rolled = try fixture.keelWithStore(["rollback", "--json"])
        #expect(rolled.status == 0, "\(rolled.errorOutput)")
        let outcome = try HostFixture.object(rolled)
        #expect(outcome["generation"] as? Int == 2 && outcome["previous"] as? Int == 3)
        #expect(outcome["path"] as? String == paths[1])
        #expect(fixture.currentGeneration() == 2)
        #expect(try Self.nixGenerations(fixture).map(\.2) == [false, true, false])
        #expect(fixture.generationNumbers() == [1, 2, 3], "rollback deletes nothing")

        #expect(try fixture.keelWithStore(["rollback"]).output == "generation 1: \(paths[0])\n")
        let nowhere = try fixture.keelWithStore(["rollback"])
        #expect(nowhere.status == 1 && nowhere.errorOutput.contains("no earlier generation"), "\(nowhere.transcript)")
        #expect(fixture.currentGeneration() == 1)

        let forward = try fixture.keelWithStore(["switch", "--to", "3", "--json"])
        #expect(forward.status == 0, "\(forward.errorOutput)")
        #expect(try HostFixture.object(forward)["path"] as? String == paths[2])
        #expect(fixture.currentGeneration() == 3)
        let missing = try fixture.keelWithStore(["switch", "--to", "9"])
        #expect(missing.status == 1 && missing.errorOutput.contains("no generation 9"), "\(missing.transcript)")
        #expect(fixture.currentGeneration() == 3)
        #expect(try fixture.keelWithStore(["switch", "--to", "3"]).status == 0)
        #expect(fixture.generationNumbers() == [1, 2, 3])

        // Every flip is in the ledger.
        let ledger = try fixture.keel(["ledger", "log", "--root", fixture.root])
        #expect(ledger.output.components(separatedBy: "system.rollback").count - 1 == 2, "\(ledger.output)")
        #expect(ledger.output.components(separatedBy: "system.switch").count - 1 == 4, "\(ledger.output)")
        #expect(try fixture.keel(["ledger", "verify", "--root", fixture.root]).status == 0)
    }

    /// Moves generation `number`'s creation `days` into the past: its record's time and its
    /// link's mtime (which is what nix-env shows).
    static func backdate(_ fixture: HostFixture, generation number: Int, days: Int) throws {
        let seconds = Int(Date().timeIntervalSince1970) - days * 86_400
        let recordPath = fixture.root + "/profiles/.system-generations/\(number).json"
        let data = try #require(FileManager.default.contents(atPath: recordPath))
        var record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        record["time"] = seconds
        let rewritten = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        try FileManager.default.removeItem(atPath: recordPath)
        try TestFiles.write(recordPath, Array(rewritten))
        let profiles = try FileSystem.openDirectory(Array((fixture.root + "/profiles").utf8))
        defer { FileSystem.close(profiles) }
        try FileSystem.setTimes(Array("system-\(number)-link".utf8), in: profiles, seconds: seconds)
    }

    @Test(
        "generations delete --keep N and --older-than never delete the current one; gc frees only deleted generations' paths"
    )
    func deleteAndCollect() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        var packages: [String] = []
        var systems: [String] = []
        for value in ["one", "two", "three", "four", "five"] {
            try Self.simpleHost(fixture, value: value + "\n")
            systems.append(try fixture.switchExpectingSuccess())
            packages.append(try HostFixture.packagePath("data", in: systems.last ?? ""))
        }
        try Self.backdate(fixture, generation: 1, days: 40)
        try Self.backdate(fixture, generation: 2, days: 31)
        try Self.backdate(fixture, generation: 3, days: 29)
        #expect(try fixture.keelWithStore(["switch", "--to", "2"]).status == 0)

        let dryRun = try fixture.keelWithStore(["generations", "delete", "--older-than", "30d", "--dry-run"])
        #expect(dryRun.output == "would delete generations 1\n", "\(dryRun.transcript)")
        #expect(fixture.generationNumbers() == [1, 2, 3, 4, 5])
        let old = try fixture.keelWithStore(["generations", "delete", "--older-than", "30d", "--json"])
        #expect(old.status == 0, "\(old.errorOutput)")
        #expect(try HostFixture.object(old)["deleted"] as? [Int] == [1], "the current generation 2 is older, and kept")
        #expect(fixture.generationNumbers() == [2, 3, 4, 5])
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/profiles/.system-generations/1.json"))

        let kept = try fixture.keelWithStore(["generations", "delete", "--keep", "2"])
        #expect(kept.output == "deleted generations 3 4\n", "\(kept.transcript)")
        #expect(fixture.generationNumbers() == [2, 5])
        #expect(fixture.currentGeneration() == 2)
        let single = try fixture.keelWithStore(["generations", "delete", "--keep", "1"])
        #expect(single.output == "deleted generations 5\n", "\(single.transcript)")
        #expect(fixture.generationNumbers() == [2] && fixture.currentGeneration() == 2)
        #expect(try fixture.keelWithStore(["generations", "delete", "--keep", "1"]).output == "nothing to delete\n")
        #expect(try fixture.keelWithStore(["generations", "delete", "--keep", "0"]).status == 2)
        #expect(try Self.nixGenerations(fixture).map(\.0) == [2])

        let collected = try fixture.keelWithStore(["store", "gc"])
        #expect(collected.status == 0, "\(collected.errorOutput)")
        for (index, (system, package)) in zip(systems, packages).enumerated() {
            let alive = index == 1
            #expect(FileManager.default.fileExists(atPath: system) == alive, "generation \(index + 1)'s system")
            #expect(FileManager.default.fileExists(atPath: package) == alive, "generation \(index + 1)'s package")
            #expect(try fixture.isValid(system) == alive)
        }
        #expect(try fixture.keelWithStore(["store", "verify", "--check-contents"]).status == 0)
        // The survivor still runs: a new switch, a rollback to it, a switch --to it.
        try Self.simpleHost(fixture, value: "six\n")
        try fixture.switchExpectingSuccess()
        #expect(fixture.generationNumbers() == [2, 3], "numbered after the highest left, as nix-env numbers them")
        #expect(try fixture.keelWithStore(["rollback"]).output == "generation 2: \(systems[1])\n")
    }

    // MARK: - diff

    @Test("diff lists added, removed and changed packages and agents with the fields that changed, by number or path")
    func diffGenerations() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.write("app/main.py", "print('v1')\n")
        try fixture.write("old/file", "old\n")
        try fixture.write("lib/file", String(repeating: "library\n", count: 100))
        try fixture.writeConfig(
            """
            [host]
            name = "diffs"

            [packages.app]
            src = "./app"

            [packages.old]
            src = "./old"

            [packages."lib-1.0"]
            src = "./lib"

            [agents.worker]
            command = ["${packages.app}/main.py"]
            env = { MODE = "slow" }

            [agents.retired]
            command = ["/bin/true"]
            """)
        let first = try fixture.switchExpectingSuccess()
        try fixture.write("app/main.py", "print('v2')\n")
        try fixture.write("new/file", String(repeating: "n", count: 20_000))
        try fixture.writeConfig(
            """
            [host]
            name = "diffs"

            [packages.app]
            src = "./app"

            [packages.new]
            src = "./new"

            [packages."lib-2.0"]
            src = "./lib"

            [agents.worker]
            command = ["${packages.app}/main.py"]
            env = { MODE = "fast" }
            limits = { memory = "64M" }

            [agents.fresh]
            command = ["/bin/true"]
            """)
        let second = try fixture.switchExpectingSuccess()

        let byNumber = try fixture.keelWithStore(["diff", "1", "2", "--json"])
        #expect(byNumber.status == 0, "\(byNumber.errorOutput)")
        let byPath = try fixture.keelWithStore(["diff", first, second, "--json"])
        #expect(byPath.output == byNumber.output)
        let diff = try HostFixture.object(byNumber)
        let packages = try #require(diff["packages"] as? [[String: Any]])
        let byName = Dictionary(
            uniqueKeysWithValues: packages.compactMap { change in
                (change["name"] as? String).map { ($0, change) }
            })
        #expect(byName["old"]?["kind"] as? String == "removed")
        #expect(byName["new"]?["kind"] as? String == "added")
        #expect((byName["new"]?["size_delta"] as? Int ?? 0) > 20_000)
        #expect(byName["lib"]?["kind"] as? String == "changed")
        #expect(byName["lib"]?["before"] as? [String] == ["1.0"] && byName["lib"]?["after"] as? [String] == ["2.0"])
        #expect(byName["app"]?["kind"] as? String == "changed", "app's source changed: \(packages)")
        let agents = try #require(diff["agents"] as? [[String: Any]])
        #expect(agents.map { $0["name"] as? String } == ["fresh", "retired", "worker"])
        #expect(agents.map { $0["kind"] as? String } == ["added", "removed", "changed"])
        #expect(agents.last?["fields"] as? [String] == ["command", "env", "limits", "references"])
        let sizes = try #require(diff["closure_size"] as? [String: Int])
        #expect(sizes["delta"] == (sizes["after"] ?? 0) - (sizes["before"] ?? 0))
        let generations = try HostFixture.objects(try fixture.keelWithStore(["generations", "--json"]))
        #expect([sizes["before"], sizes["after"]] == generations.map { $0["closure_size"] as? Int })

        let text = try fixture.keelWithStore(["diff", "1", "2"])
        #expect(text.status == 0)
        for piece in [
            "lib: 1.0 → 2.0", "new: ∅ →", "old:", "app: ε, contents changed", "+ fresh", "- retired",
            "~ worker: command, env, limits",
        ] {
            #expect(text.output.contains(piece), "no '\(piece)' in:\n\(text.output)")
        }
        let same = try fixture.keelWithStore(["diff", "2", second])
        #expect(same.output.contains("packages: no changes") && same.output.contains("agents: no changes"))
        let missing = try fixture.keelWithStore(["diff", "1", "7"])
        #expect(missing.status == 1 && missing.errorOutput.contains("no generation 7"))
    }

    // MARK: - init

    @Test("init writes a keel.toml that eval and switch accept, and never overwrites one")
    func initStarter() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let directory = fixture.temporary.appending("new-host/sub")
        let made = try fixture.keel(["init", directory, "--host", "fresh-host"])
        #expect(made.status == 0, "\(made.errorOutput)")
        let file = directory + "/keel.toml"
        let written = try #require(FileManager.default.contents(atPath: file))
        let evaluated = try fixture.keel(["eval", "-f", file] + fixture.storeArguments)
        #expect(evaluated.status == 0, "\(evaluated.errorOutput)")
        #expect(evaluated.output.hasSuffix("-keel-system-fresh-host\n"))
        let switched = try fixture.keel(["switch", "-f", file] + fixture.storeArguments)
        #expect(switched.status == 0, "\(switched.errorOutput)")

        let again = try fixture.keel(["init", directory])
        #expect(again.status == 1)
        #expect(again.errorOutput.contains("already exists"), "\(again.errorOutput)")
        #expect(FileManager.default.contents(atPath: file) == written)

        // Without --host, in the current directory.
        let here = fixture.temporary.appending("here")
        try FileManager.default.createDirectory(atPath: here, withIntermediateDirectories: true)
        #expect(try KeelBinary.run(["init"], directory: here).status == 0)
        #expect(try fixture.keel(["eval", "-f", here + "/keel.toml"] + fixture.storeArguments).status == 0)
    }

    // MARK: - two switches at once

    @Test("two switches at once: both finish, each generation whole, none lost")
    func concurrentSwitches() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        // A first switch makes the root and its store database. (Two processes creating a store
        // database at once can fail with SQLITE_BUSY on `PRAGMA journal_mode = WAL`, a KeelStore
        // matter outside what this test is about.)
        try Self.simpleHost(fixture, value: "first\n")
        var expected: Set<String> = [try fixture.switchExpectingSuccess()]
        for round in 0..<3 {
            // Two configurations in two directories, one root.
            var configs: [String] = []
            for side in ["left", "right"] {
                let directory = "\(side)-\(round)"
                try fixture.write("\(directory)/data/value", "\(side) \(round)\n")
                try fixture.write(
                    "\(directory)/keel.toml",
                    """
                    [host]
                    name = "race"

                    [packages.data]
                    src = "./data"
                    """)
                configs.append(fixture.configDirectory + "/\(directory)/keel.toml")
            }
            // In the last round both switch the same system: exactly one generation is made.
            if round == 2 { configs[1] = configs[0] }
            let runs = try configs.map { try BackgroundKeel(["switch", "--json", "-f", $0] + fixture.storeArguments) }
            let results = runs.map { $0.finish() }
            var paths: Set<String> = []
            for result in results {
                #expect(result.status == 0, "\(result.transcript)")
                let object = try HostFixture.object(result)
                paths.insert(try #require(object["path"] as? String))
            }
            #expect(paths.count == (round == 2 ? 1 : 2))
            expected.formUnion(paths)
            let recorded = fixture.generationNumbers().compactMap(fixture.systemPath(ofGeneration:))
            #expect(Set(recorded) == expected, "round \(round): \(recorded)")
            #expect(recorded.count == expected.count, "one generation per distinct system")
            for system in recorded { #expect(try HostFixture.manifest(of: system)["version"] as? Int == 1) }
            let current = try #require(fixture.currentGeneration().flatMap(fixture.systemPath(ofGeneration:)))
            #expect(paths.contains(current))
        }
        #expect(try fixture.keelWithStore(["store", "verify", "--check-contents"]).status == 0)
        #expect(try fixture.keel(["ledger", "verify", "--root", fixture.root]).status == 0)
    }

    @Test("switches racing store gc: every generation's closure survives, and the store verifies")
    func switchRacingCollection() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try Self.simpleHost(fixture, value: "round 0\n")
        try fixture.switchExpectingSuccess()
        for round in 1...4 {
            try Self.simpleHost(fixture, value: "round \(round)\n", agentArgument: "round-\(round)")
            let switching = try BackgroundKeel(["switch", "-f", fixture.configFile] + fixture.storeArguments)
            let collecting = try BackgroundKeel(["store", "gc"] + fixture.storeArguments)
            let switched = switching.finish()
            let collected = collecting.finish()
            #expect(switched.status == 0, "round \(round): \(switched.transcript)")
            #expect(collected.status == 0, "round \(round): \(collected.transcript)")
            #expect(fixture.generationNumbers() == Array(1...(round + 1)))
            for generation in try HostFixture.objects(try fixture.keelWithStore(["generations", "--json"])) {
                #expect(generation["closure_size"] is Int, "round \(round): \(generation) lost its closure")
                let system = try #require(generation["path"] as? String)
                #expect(FileManager.default.fileExists(atPath: try HostFixture.packagePath("data", in: system)))
            }
        }
        #expect(try fixture.keelWithStore(["store", "verify", "--check-contents"]).status == 0)
    }

    @Test("SIGTERM during a switch's build exits 130 and leaves the profile as it was")
    func terminatedSwitch() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.addBusybox()
        func configure(_ script: String) throws {
            try fixture.writeConfig(
                """
                [host]
                name = "stopped"

                [packages.tools]
                src = "./tools"

                [packages.slow]
                builder = "${packages.tools}/bin/busybox"
                args = ["sh", "-c", "\(script)"]
                """)
        }
        try configure("echo quick > $out")
        let first = try fixture.switchExpectingSuccess()
        try configure(
            "echo builder started; ${packages.tools}/bin/busybox mkfifo hold; exec 3<>hold; read _ <&3; echo slow > $out"
        )
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KeelBinary.path)
        process.arguments = ["switch", "-L", "-f", fixture.configFile] + fixture.storeArguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var said = ""
        while !said.contains("builder started") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said += String(decoding: chunk, as: UTF8.self)
        }
        #expect(said.contains("builder started"), "\(said)")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(said)")
        #expect(fixture.generationNumbers() == [1] && fixture.systemPath(ofGeneration: 1) == first)
        #expect(fixture.currentGeneration() == 1)
        try configure("echo done > $out")
        try fixture.switchExpectingSuccess()
        #expect(fixture.generationNumbers() == [1, 2] && fixture.currentGeneration() == 2)
    }

    @Test("a switch finding the profile locked says it waits, then finishes once the lock is released")
    func switchWaitsForProfileLock() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try Self.simpleHost(fixture, value: "waiting\n")
        try FileManager.default.createDirectory(atPath: fixture.root + "/profiles", withIntermediateDirectories: true)
        // Another holder of the profile's lock, as nix-env or another keel takes it.
        let lock = try FileSystem.openOrCreate(Array((fixture.profile + ".lock").utf8))
        #expect(try FileSystem.tryLock(lock))
        let waiting = try BackgroundKeel(["switch", "-f", fixture.configFile] + fixture.storeArguments)
        let said = waiting.waitForStandardError(
            containing: "waiting for another process to finish changing the profile")
        #expect(said)
        #expect(waiting.isRunning)
        #expect(fixture.currentGeneration() == nil && fixture.generationNumbers().isEmpty)
        FileSystem.close(lock)
        let result = waiting.finish()
        #expect(result.status == 0, "\(result.transcript)")
        #expect(fixture.currentGeneration() == 1)
    }
}
