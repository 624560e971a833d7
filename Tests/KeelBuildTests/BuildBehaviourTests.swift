import Foundation
import KeelFormats
import KeelTesting
import Testing

@Suite("Build isolation, failures, checks and fixed outputs", .ownThreads)
struct BuildBehaviourTests {
    @Test(
        "a builder cannot read /etc/shadow or a store path outside its closure, reach the network, or see host processes"
    )
    func isolation() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let server = try LoopbackListener()
        defer { server.stop() }
        let outsider = try fixture.instantiate(derivationExpression("outsider", "echo secret > $out"))
        #expect(try fixture.keelBuild(outsider).status == 0)
        let outsiderPath = try fixture.nix.outputs(outsider[0])[0]
        let script = [
            "cat /etc/shadow > $out 2>&1 || echo no-shadow >> $out",
            "cat \(outsiderPath) >> $out 2>&1 || echo no-outsider >> $out",
            "echo hi | nc -w 1 127.0.0.1 \(server.port) >> $out 2>&1 && echo reached >> $out || echo no-network >> $out",
            "ls /proc | grep -c '^[0-9]' >> $out",
        ].joined(separator: "; ")
        let probe = try fixture.instantiate(derivationExpression("probe", script))
        let built = try fixture.keelBuild(probe)
        #expect(built.status == 0, "\(built.errorOutput)")
        let report = try String(
            contentsOfFile: built.output.trimmingCharacters(in: .whitespacesAndNewlines), encoding: .utf8)
        #expect(report.contains("no-shadow") && !report.contains("root:"), "\(report)")
        #expect(report.contains("no-outsider") && !report.contains("secret"), "\(report)")
        #expect(report.contains("no-network") && !report.contains("reached"), "\(report)")
        let processes = Int(report.split(separator: "\n").last ?? "") ?? 99
        #expect(processes <= 4, "the builder saw \(processes) processes")
    }

    @Test(
        "a failing builder: the error shows its last log lines, nothing is registered, nothing is left; keel log prints the log"
    )
    func failure() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let derivations = try fixture.instantiate(
            derivationExpression(
                "fails", "mkdir $out; echo partial > $out/f; echo first-line; echo last-words >&2; exit 3"))
        let result = try fixture.keelBuild(derivations)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("failed with exit code 3"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("> last-words"), "\(result.errorOutput)")
        let output = try fixture.nix.outputs(derivations[0])[0]
        #expect(try !fixture.isValid(output))
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(fixture.leftoverBuildDirectories().isEmpty)
        let log = try fixture.keel(["log", derivations[0]])
        #expect(log.status == 0)
        #expect(log.output == "first-line\nlast-words\n", "\(log.output)")
    }

    @Test("--timeout and --max-silent-time kill the builder and everything it started")
    func timeouts() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        // A unique sleep duration marks the builder's background process on the host.
        let marker = "sleep \(UInt32.random(in: 1_000_000...9_999_999))"
        // It then waits to read from the fifo, which it holds open itself (so no end of file) and
        // nobody writes to: only the timeout ends it.
        let waiting = try fixture.instantiate(
            derivationExpression(
                "waiting",
                "mkfifo started; (sh -c 'echo > started; exec \(marker)' &); read _ < started; echo sleeper-started; echo tick; exec 3<>started; read _ <&3"
            ))
        let timedOut = try fixture.keelBuild(waiting, ["--timeout", "1"])
        #expect(timedOut.status == 1)
        #expect(timedOut.errorOutput.contains("timed out after 1"), "\(timedOut.errorOutput)")
        #expect(try fixture.keel(["log", waiting[0]]).output.hasPrefix("sleeper-started\ntick\n"))
        #expect(try ProcessRunner.run("pgrep", ["-f", marker]).status == 1, "a builder process was left behind")
        let quiet = try fixture.instantiate(
            derivationExpression("quiet", "echo one line; mkfifo hold; exec 3<>hold; read _ <&3"))
        let silent = try fixture.keelBuild(quiet, ["--max-silent-time", "1"])
        #expect(silent.status == 1)
        #expect(silent.errorOutput.contains("printed nothing for 1"), "\(silent.errorOutput)")
        #expect(silent.errorOutput.contains("> one line"), "\(silent.errorOutput)")
        #expect(fixture.leftoverBuildDirectories().isEmpty)
    }

    @Test("--check passes a deterministic builder and names the files a non-deterministic one changed")
    func check() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let steady = try fixture.instantiate(derivationExpression("steady", "mkdir $out; echo same > $out/f"))
        let random = try fixture.instantiate(
            derivationExpression("random", "mkdir $out; echo same > $out/same; head -c 16 /dev/urandom > $out/noise"))
        #expect(try fixture.keelBuild(steady + random).status == 0)
        let steadyCheck = try fixture.keelBuild(steady, ["--check"])
        #expect(steadyCheck.status == 0, "\(steadyCheck.errorOutput)")
        let randomCheck = try fixture.keelBuild(random, ["--check"])
        #expect(randomCheck.status == 1)
        #expect(randomCheck.errorOutput.contains("may not be deterministic"), "\(randomCheck.errorOutput)")
        #expect(randomCheck.errorOutput.contains("  noise"), "\(randomCheck.errorOutput)")
        #expect(!randomCheck.errorOutput.contains("  same"), "\(randomCheck.errorOutput)")
        #expect(fixture.leftoverBuildDirectories().isEmpty)
    }

    @Test("builtin:fetchurl fetches file:// and http:// URLs; a wrong hash is refused naming both hashes")
    func fetchURL() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let served = fixture.temporary.appending("served")
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        try TestFiles.write(served + "/payload", Array("fetched bytes\n".utf8))
        let server = try HTTPFileServer(directory: served)
        defer { server.stop() }
        let good = StreamingHasher.hash(.sha256, Array("fetched bytes\n".utf8)).sri
        func fetch(_ name: String, _ url: String, _ hash: String) -> String {
            """
            derivation { name = "\(name)"; system = "builtin"; builder = "builtin:fetchurl"; url = "\(url)"; \
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "\(hash)"; }
            """
        }
        let fromFile = try fixture.instantiate(fetch("from-file", "file://\(served)/payload", good))
        let fromHTTP = try fixture.instantiate(fetch("from-http", "http://127.0.0.1:\(server.port)/payload", good))
        let built = try fixture.keelBuild(fromFile + fromHTTP)
        #expect(built.status == 0, "\(built.errorOutput)")
        for path in built.output.split(separator: "\n") {
            #expect(try String(contentsOfFile: String(path), encoding: .utf8) == "fetched bytes\n")
        }
        let wrong = "sha256-" + Data(repeating: 7, count: 32).base64EncodedString()
        let mismatch = try fixture.instantiate(fetch("wrong", "file://\(served)/payload", wrong))
        let refused = try fixture.keelBuild(mismatch)
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("hash mismatch"), "\(refused.errorOutput)")
        #expect(refused.errorOutput.contains("specified: sha256:") && refused.errorOutput.contains("got:  sha256:"))
        #expect(try !fixture.isValid(try fixture.nix.outputs(mismatch[0])[0]))
    }

    @Test("a fixed-output derivation reaches the host network; its recursive hash is checked as nix checks it")
    func fixedOutputs() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let server = try LoopbackListener()
        defer { server.stop() }
        // The tree the recursive derivation makes, hashed by the real nix.
        let tree = fixture.temporary.appending("tree")
        try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
        try TestFiles.write(tree + "/sub/file", Array("recursive\n".utf8))
        let hasherRoot = fixture.temporary.appending("hasher")
        try FileManager.default.createDirectory(atPath: hasherRoot, withIntermediateDirectories: true)
        let recursiveHash = try NixOracle(root: hasherRoot).output("nix", ["hash", "path", "--type", "sha256", tree])
        let recursive = try fixture.instantiate(
            derivationExpression(
                "recursive", "mkdir -p $out/sub; echo recursive > $out/sub/file",
                extra: #"outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = "\#(recursiveHash)";"#))
        let flatHash = StreamingHasher.hash(.sha256, Array("reached\n".utf8)).sri
        let online = try fixture.instantiate(
            derivationExpression(
                "online", "echo hi | nc -w 1 127.0.0.1 \(server.port) && echo reached > $out",
                extra: #"outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "\#(flatHash)";"#))
        let built = try fixture.keelBuild(recursive + online)
        #expect(built.status == 0, "\(built.errorOutput)")
        try fixture.nix.build(recursive)
        let output = try fixture.nix.outputs(recursive[0])[0]
        let info = try #require(try fixture.info(output))
        #expect(try NixHash(parsing: info["narHash"] as! String) == NixHash(parsing: try fixture.nix.narHash(output)))
        #expect(info["ca"] as? String == "fixed:r:" + (try NixHash(parsing: recursiveHash)).prefixed(.nixBase32))
        // The same builder without a declared hash gets no network and fails.
        let offline = try fixture.instantiate(
            derivationExpression("offline", "echo hi | nc -w 1 127.0.0.1 \(server.port) && echo reached > $out"))
        let refused = try fixture.keelBuild(offline)
        #expect(refused.status == 1, "\(refused.errorOutput)")
    }

    @Test("Ctrl-C stops every running build: exit 130, nothing registered, no process or build directory left")
    func interrupt() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let marker = "sleep \(UInt32.random(in: 1_000_000...9_999_999))"
        let slow = try fixture.instantiate(
            "[ "
                + (0..<2).map { "(" + derivationExpression("slow\($0)", "echo started; exec \(marker)") + ")" }.joined(
                    separator: " ") + " ]")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KeelBinary.path)
        process.arguments =
            [
                "build", "-j", "2", "-L", "--sandbox-paths", "/bin/sh=/bin/busybox", "--root", fixture.keelRoot,
                "--store-dir", fixture.storeDirectory,
            ] + slow.map { fixture.nix.physicalPath($0) }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until both builders have said they started.
        var seen = ""
        while seen.components(separatedBy: "> started").count < 3 {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(try ProcessRunner.run("pgrep", ["-f", marker]).status == 0, "the builders are not running: \(seen)")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(seen)")
        #expect(try ProcessRunner.run("pgrep", ["-f", marker]).status == 1, "a builder was left running")
        for derivation in slow { #expect(try !fixture.isValid(try fixture.nix.outputs(derivation)[0])) }
        #expect(fixture.leftoverBuildDirectories().isEmpty)
    }
}
