import Foundation
import KeelTesting
import Testing

/// Keeps the shipped examples honest: every `Examples/*/keel.toml`, the starter `keel init`
/// writes and the fetch the full example shows commented out evaluate; the full example builds
/// with busybox; the demo host switches, changes, diffs and rolls back.
@Suite("Examples: the shipped keel.toml files and keel init's starter", .ownThreads)
struct ExamplesCLITests {
    /// The repository's `Examples` directory.
    static let examplesDirectory: String = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/",
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path)
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("Examples").path
    }()

    /// The `keel.toml` of each example directory, sorted.
    static func exampleConfigurations() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: examplesDirectory).sorted()
            .map { examplesDirectory + "/" + $0 + "/keel.toml" }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// A fixture whose configuration directory holds a copy of `Examples` (so that relative
    /// `src` paths such as `../sample-agent` hold).
    static func fixtureWithExamples() throws -> HostFixture {
        let fixture = try HostFixture(prefix: "keel-examples")
        for entry in try FileManager.default.contentsOfDirectory(atPath: examplesDirectory) {
            try FileManager.default.copyItem(
                atPath: examplesDirectory + "/" + entry, toPath: fixture.configDirectory + "/" + entry)
        }
        return fixture
    }

    @Test("every Examples/*/keel.toml evaluates, offline")
    func everyExampleEvaluates() throws {
        let fixture = try HostFixture(prefix: "keel-examples")
        defer { fixture.remove() }
        let configurations = try Self.exampleConfigurations()
        let names = configurations.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent }
        #expect(names.contains("demo") && names.contains("full"), "examples found: \(names)")
        for configuration in configurations {
            let result = try fixture.keel(["eval", "-f", configuration] + fixture.storeArguments)
            #expect(result.status == 0, "\(configuration): \(result.errorOutput)")
            #expect(result.errorOutput.isEmpty, "\(configuration): \(result.errorOutput)")
            let path = result.output.trimmingCharacters(in: .newlines)
            #expect(path.hasPrefix(fixture.storeDirectory + "/") && path.contains("-keel-system-"), "\(path)")

            let manifest = try HostFixture.object(
                try fixture.keel(["eval", "--json", "-f", configuration] + fixture.storeArguments))
            #expect((manifest["agents"] as? [String: Any])?.isEmpty == false, "\(configuration) runs no agent")
        }
    }

    @Test("the starter keel init writes evaluates as written")
    func initStarterEvaluates() throws {
        let fixture = try HostFixture(prefix: "keel-examples")
        defer { fixture.remove() }
        let written = try fixture.keel(["init", fixture.configDirectory, "--host", "starter"])
        #expect(written.status == 0, "\(written.errorOutput)")
        let result = try fixture.eval()
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.hasSuffix("-keel-system-starter\n"), "\(result.output)")
    }

    @Test("the executable https fetch the full example shows commented out asks for keel lock once uncommented")
    func commentedFetchNeedsALock() throws {
        let fixture = try Self.fixtureWithExamples()
        defer { fixture.remove() }
        let file = fixture.configDirectory + "/full/keel.toml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let block = try #require(Self.commentedBlock(starting: "# [packages.jq]", in: text))
        #expect(block.contains("url = \"https://"), "\(block)")
        #expect(block.contains("executable = true"), "\(block)")
        try (text + "\n" + block).write(toFile: file, atomically: false, encoding: .utf8)
        let urlLine = (text + "\n" + block).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("url = \"https://github.com/jqlang") }.map { $0 + 1 }

        let result = try fixture.keel(["eval", "-f", file] + fixture.storeArguments)
        #expect(result.status == 1, "\(result.transcript)")
        let expected = "\(file):\(try #require(urlLine)):7: package 'jq': "
        #expect(result.errorOutput.hasPrefix(expected), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("is not locked; run `keel lock`"), "\(result.errorOutput)")
    }

    @Test("the Debian runtime the full example shows commented out asks for keel lock once uncommented")
    func commentedRuntimeNeedsALock() throws {
        let fixture = try Self.fixtureWithExamples()
        defer { fixture.remove() }
        let file = fixture.configDirectory + "/full/keel.toml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let block = try #require(Self.commentedBlock(starting: "# [packages.py]", in: text))
        #expect(block.contains("debian = [\"python3.11-minimal\""), "\(block)")
        try (text + "\n" + block).write(toFile: file, atomically: false, encoding: .utf8)
        let result = try fixture.keel(["eval", "-f", file] + fixture.storeArguments)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(
            result.errorOutput.contains("package 'py': its Debian packages are not locked; run `keel lock`"),
            "\(result.errorOutput)")
    }

    @Test("the full example builds its derivations with busybox from its src package")
    func fullExampleBuilds() throws {
        let fixture = try Self.fixtureWithExamples()
        defer { fixture.remove() }
        try fixture.addBusybox(in: "full/toolchain")
        let result = try fixture.keel(
            ["switch", "--json", "-f", fixture.configDirectory + "/full/keel.toml"]
                + fixture.storeArguments)
        #expect(result.status == 0, "\(result.transcript)")
        let system = try #require(try HostFixture.object(result)["path"] as? String)
        #expect((try HostFixture.object(result)["built"] as? [String])?.count == 2, "\(result.output)")

        // .keelignore took bin/ back from .gitignore and left the README and ignore files out.
        let toolchain = try HostFixture.packagePath("toolchain", in: system)
        #expect(try FileManager.default.contentsOfDirectory(atPath: toolchain) == ["bin"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: toolchain + "/bin") == ["busybox"])

        let tools = try HostFixture.packagePath("tools", in: system)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: tools + "/bin/sh") == "busybox")
        let worker = try HostFixture.packagePath("worker", in: system)
        let script = try String(contentsOfFile: worker + "/bin/worker", encoding: .utf8)
        #expect(script.hasPrefix("#!\(tools)/bin/sh\n"), "\(script.prefix(120))")

        let agents = try #require(try HostFixture.manifest(of: system)["agents"] as? [String: [String: Any]])
        #expect(agents["worker"]?["depends_on"] as? [String] == ["api"])
        #expect(agents["worker"]?["command"] as? [String] == [worker + "/bin/worker"])
        #expect((agents["worker"]?["env"] as? [String: String])?["PATH"] == tools + "/bin")
        #expect(agents["api"]?["isolation"] as? String == "strict")
    }

    @Test("the demo host switches, switches again with another interval, diffs and rolls back")
    func demoExampleSwitchesAndRollsBack() throws {
        let fixture = try Self.fixtureWithExamples()
        defer { fixture.remove() }
        let file = fixture.configDirectory + "/demo/keel.toml"
        let switchArguments = ["switch", "--json", "-f", file] + fixture.storeArguments
        let first = try fixture.keel(switchArguments)
        #expect(first.status == 0, "\(first.transcript)")
        #expect(try HostFixture.object(first)["generation"] as? Int == 1)

        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("AGENT_INTERVAL = \"5\""))
        try text.replacingOccurrences(of: "AGENT_INTERVAL = \"5\"", with: "AGENT_INTERVAL = \"2\"")
            .write(toFile: file, atomically: false, encoding: .utf8)
        let second = try fixture.keel(switchArguments)
        #expect(second.status == 0, "\(second.transcript)")
        #expect(try HostFixture.object(second)["generation"] as? Int == 2)

        let diff = try HostFixture.object(try fixture.keelWithStore(["diff", "--json", "1", "2"]))
        #expect((diff["packages"] as? [Any])?.isEmpty == true, "\(diff)")
        let agents = try #require(diff["agents"] as? [[String: Any]])
        #expect(agents.count == 1)
        #expect(agents.first?["name"] as? String == "sample")
        #expect(agents.first?["fields"] as? [String] == ["env"])

        let rollback = try fixture.keelWithStore(["rollback"])
        #expect(rollback.status == 0, "\(rollback.transcript)")
        #expect(fixture.currentGeneration() == 1)
    }

    /// The lines from `header` up to the first line that is only `#` or blank, each stripped of
    /// its leading `# `: a commented-out table of an example, as it reads uncommented.
    static func commentedBlock(starting header: String, in text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: header) else { return nil }
        let block = lines[start...].prefix { $0.hasPrefix("# ") }
        return block.map { String($0.dropFirst(2)) }.joined(separator: "\n") + "\n"
    }
}
