import Foundation
import KeelTesting
import Testing

/// `keel init --host` accepts exactly the host names keel.toml accepts.
@Suite("Review: keel init's host name", .ownThreads)
struct ReviewInitCommandTests {
    @Test(
        "init refuses a --host that keel.toml would refuse, and writes nothing",
        arguments: ["a b", "line\nbreak", ".hidden", "-dash", String(repeating: "h", count: 64), "a/b", "é"])
    func initRefusesInvalidHostNames(_ name: String) throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let directory = fixture.temporary.appending("host")
        let result = try fixture.keel(["init", directory, "--host=" + name])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.errorOutput.contains("invalid host name"), "\(result.errorOutput)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/keel.toml"))
    }

    @Test("init accepts every host name keel.toml accepts")
    func initAcceptsValidHostNames() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let directory = fixture.temporary.appending("host")
        let name = "web_1.prod-" + String(repeating: "x", count: 52)
        let made = try fixture.keel(["init", directory, "--host", name])
        #expect(made.status == 0, "\(made.transcript)")
        let evaluated = try fixture.keel(["eval", "-f", directory + "/keel.toml"] + fixture.storeArguments)
        #expect(evaluated.status == 0, "\(evaluated.transcript)")
    }
}
