import Foundation
import KeelConfig
import KeelFormats
import KeelTesting
import Testing

@testable import KeelSystem

/// The store paths evaluation computes, checked against the real `nix-instantiate` for the same
/// derivations and fetches, and the system path's independence from where keel.toml lives.
@Suite(.ownThreads) struct SystemEvaluatorTests {
    /// Evaluates `toml` (written to `directory`/keel.toml) for `storeDirectory`.
    private func plan(
        _ toml: String, in directory: String, storeDirectory: String, inputs: LockedInputs = LockedInputs()
    )
        throws -> SystemPlan
    {
        try write(directory + "/keel.toml", Array(toml.utf8))
        let configuration = try ConfigLoader.parse(Array(toml.utf8), file: "keel.toml", directory: directory)
        return try SystemEvaluator(
            configuration: configuration, inputs: inputs, storeDirectory: try StoreDirectory(storeDirectory)
        ).evaluate()
    }

    private func path(_ plan: SystemPlan, _ name: String, in store: String) throws -> (drv: String?, out: String) {
        let package = try #require(plan.packages.first { $0.name == name })
        let directory = try StoreDirectory(store)
        return (package.derivationPath.map(directory.fullPath), directory.fullPath(package.path))
    }

    @Test(.enabled(if: NixOracle.isInstalled))
    func derivationsHaveNixsPaths() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try FileManager.default.createDirectory(atPath: temporary.appending("nix"), withIntermediateDirectories: true)
        let nix = try NixOracle(root: temporary.appending("nix"))
        let toml = """
            [host]
            name = "oracle"
            system = "x86_64-linux"

            [packages.first]
            builder = "/bin/sh"
            args = ["-c", "echo hi > $out"]
            env = { GREETING = "hello", EMPTY = "" }

            [packages.second]
            builder = "/bin/sh"
            args = ["-c", "cat ${packages.first} > $out"]
            inputs = ["first"]
            env = { FIRST = "${packages.first}/x" }
            """
        let plan = try plan(toml, in: temporary.appending("config"), storeDirectory: nix.storeDirectory)
        let expression = """
            let first = derivation { name = "first"; builder = "/bin/sh"; args = [ "-c" "echo hi > $out" ];
                system = "x86_64-linux"; GREETING = "hello"; EMPTY = ""; };
            in {
              first = first;
              second = derivation { name = "second"; builder = "/bin/sh"; args = [ "-c" "cat ${first} > $out" ];
                system = "x86_64-linux"; FIRST = "${first}/x"; };
            }
            """
        try write(temporary.appending("oracle.nix"), Array(expression.utf8))
        for name in ["first", "second"] {
            let drv = try nix.output("nix-instantiate", [temporary.appending("oracle.nix"), "-A", name])
            let out = try evaluateString(
                nix, "(import \(temporary.appending("oracle.nix"))).\(name).outPath")
            let keel = try path(plan, name, in: nix.storeDirectory)
            #expect(keel.drv == drv, "\(name)'s .drv")
            #expect(keel.out == out, "\(name)'s output")
        }
    }

    @Test(.enabled(if: NixOracle.isInstalled), arguments: [false, true])
    func fetchesHaveFetchurlsPaths(executable: Bool) throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try FileManager.default.createDirectory(atPath: temporary.appending("nix"), withIntermediateDirectories: true)
        let nix = try NixOracle(root: temporary.appending("nix"))
        let file = temporary.appending("tool")
        try write(file, Array("#!/bin/sh\necho tool\n".utf8), permissions: executable ? 0o755 : 0o644)
        let url = "file://" + file
        let fetched = try InputHashing.fetch(
            url, unpack: false, executable: executable, in: try makeDirectory(temporary.appending("scratch")))
        var inputs = LockedInputs()
        inputs.fetches["tool"] = fetched
        let toml = """
            [host]
            name = "oracle"

            [packages.tool]
            url = "\(url)"
            executable = \(executable)
            """
        let plan = try plan(toml, in: temporary.appending("config"), storeDirectory: nix.storeDirectory, inputs: inputs)
        // Nix's fetchurl takes the hash it checks: the file's, or for an executable the NAR's.
        let nixHash = try NixHash(parsing: fetched.narHash ?? fetched.hash)
        let out = try evaluateString(
            nix,
            "(import <nix/fetchurl.nix> { url = \"\(url)\"; name = \"tool\"; sha256 = \"\(nixHash.nixBase32)\"; "
                + "executable = \(executable); }).outPath")
        #expect(try path(plan, "tool", in: nix.storeDirectory).out == out)
        #expect((fetched.narHash != nil) == executable)
    }

    @Test func systemPathIsTheSameWhereverTheConfigurationLives() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let toml = """
            [host]
            name = "same"

            [packages.app]
            src = "./app"

            [agents.app]
            command = ["${packages.app}/bin/run"]
            host_paths = []
            """
        var paths: [StorePath] = []
        for place in ["one", "two/deeper"] {
            let directory = temporary.appending(place)
            try write(directory + "/app/bin/run", Array("#!/bin/sh\n".utf8), permissions: 0o755)
            try write(directory + "/app/.gitignore", Array("*.log\n".utf8))
            try write(directory + "/app/\(place.count).log", Array("differs\n".utf8))
            paths.append(try plan(toml, in: directory, storeDirectory: "/nix/store").systemPath)
        }
        #expect(paths[0] == paths[1])
        #expect(paths[0].name == "keel-system-same")
    }

    @Test func systemPathReferencesExactlyItsPackages() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try write(temporary.appending("config/a/file"), Array("a\n".utf8))
        try write(temporary.appending("config/b/file"), Array("b\n".utf8))
        let toml = """
            [host]
            name = "refs"

            [packages.a]
            src = "./a"

            [packages.b]
            src = "./b"

            [agents.x]
            command = ["${packages.a}/file"]
            packages = ["b"]
            """
        let plan = try plan(toml, in: temporary.appending("config"), storeDirectory: "/nix/store")
        #expect(Set(plan.references) == Set(plan.packages.map(\.path)))
        let agent = try #require(plan.manifest.agents["x"])
        let store = try StoreDirectory("/nix/store")
        #expect(agent.command == [store.fullPath(plan.packages[0].path) + "/file"])
        #expect(agent.env["PATH"] == store.fullPath(plan.packages[1].path) + "/bin:/usr/local/bin:/usr/bin:/bin")
        #expect(Set(agent.references) == Set(plan.packages.map { store.fullPath($0.path) }))
        #expect(try SystemManifest.decode(plan.manifest.encoded()) == plan.manifest)
    }

    /// The string a Nix expression evaluates to (nix 2.8 has no `--raw`: JSON, unquoted).
    private func evaluateString(_ nix: NixOracle, _ expression: String) throws -> String {
        let json = try nix.output("nix-instantiate", ["--eval", "--json", "-E", expression])
        return try JSONDecoder().decode(String.self, from: Data(json.utf8))
    }

    /// Writes a file, making its directory first.
    private func write(_ path: String, _ bytes: [UInt8], permissions: UInt32 = 0o644) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try TestFiles.write(path, bytes, permissions: permissions)
    }

    private func makeDirectory(_ path: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
