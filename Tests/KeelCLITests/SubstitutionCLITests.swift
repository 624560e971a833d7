import Foundation
import KeelTesting
import Testing

@Suite("keel switch and keel build substitute from binary caches", .ownThreads)
struct SubstitutionCLITests {
    /// A host whose package `app` is built by a derivation (`keel switch --json` lists it in
    /// `built` when a builder ran for it), with `extra` in its [host] table.
    private static func configure(_ fixture: HostFixture, extra: String = "") throws {
        try fixture.addBusybox()
        try fixture.writeConfig(
            """
            [host]
            name = "cached"
            \(extra)

            [packages.tools]
            src = "./tools"

            [packages.app]
            builder = "${packages.tools}/bin/busybox"
            args = ["sh", "-c", "echo built > $out"]
            """)
    }

    /// Switches fixture's host once, pushes generation 1 to a signed cache, then moves the root
    /// and store away, so the same store directory is free for a fresh host; returns the system
    /// path and the cache's URL and public key.
    private static func pushedHost(_ fixture: HostFixture) throws -> (system: String, cache: String, key: String) {
        try configure(fixture)
        let first = try fixture.switchSystem(["--json"])
        #expect(first.status == 0, "\(first.errorOutput)")
        let built = try #require(try JSONSerialization.jsonObject(with: Data(first.standardOutput)) as? [String: Any])
        #expect((built["built"] as? [String])?.isEmpty == false, "the first switch builds app: \(built)")
        let system = try #require(built["path"] as? String)
        let keys = fixture.temporary.appending("keys")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        let generated = try fixture.keel(["narinfo", "generate-key", "cache-1", keys + "/secret", keys + "/public"])
        #expect(generated.status == 0, "\(generated.errorOutput)")
        let cache = fixture.temporary.appending("cache")
        let pushed = try fixture.keelWithStore(["cache", "push", cache, "--generation", "1", "--key", keys + "/secret"])
        #expect(pushed.status == 0, "\(pushed.errorOutput)")
        try FileManager.default.moveItem(atPath: fixture.root, toPath: fixture.root + "-first")
        try FileManager.default.moveItem(atPath: fixture.storeDirectory, toPath: fixture.storeDirectory + "-first")
        let key = try String(contentsOfFile: keys + "/public", encoding: .utf8)
        return (system, "file://" + cache, key.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("A fresh host switches to the pushed system without building anything; keel.toml names the cache")
    func switchSubstitutes() throws {
        let fixture = try HostFixture(prefix: "keel-substitute")
        defer { fixture.remove() }
        let (system, cache, key) = try Self.pushedHost(fixture)
        try Self.configure(
            fixture, extra: "substituters = [\"\(cache)\"]\ntrusted_public_keys = [\"\(key)\"]")
        let result = try fixture.switchSystem(["--json"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        #expect(object["path"] as? String == system)
        #expect((object["built"] as? [String]) == [], "nothing is built: \(object)\n\(result.errorOutput)")
        #expect(result.errorOutput.contains("from binary caches"), "\(result.errorOutput)")
        #expect(try fixture.keelWithStore(["store", "verify", "--check-contents"]).status == 0)
    }

    @Test("A cache signed by an untrusted key is refused with a warning, and the host builds instead")
    func untrustedCacheIsBuiltAround() throws {
        let fixture = try HostFixture(prefix: "keel-substitute")
        defer { fixture.remove() }
        let (system, cache, _) = try Self.pushedHost(fixture)
        try Self.configure(fixture)
        let other = "other-1:fPoRQMf8kWxlR3hysfn0jZkLMqpjLWJnsUu9mtl3b1g="
        let result = try fixture.switchSystem([
            "--json", "--substituters", cache, "--trusted-public-keys", other,
        ])
        #expect(result.status == 0, "\(result.errorOutput)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        #expect(object["path"] as? String == system, "the same system, built here")
        #expect((object["built"] as? [String])?.isEmpty == false, "app is built: \(object)")
        #expect(result.errorOutput.contains("warning:"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("making it here instead"), "\(result.errorOutput)")
    }

    @Test("--no-substitute builds even with caches configured; a bad --substituters URL is a usage error")
    func options() throws {
        let fixture = try HostFixture(prefix: "keel-substitute")
        defer { fixture.remove() }
        let (_, cache, key) = try Self.pushedHost(fixture)
        try Self.configure(
            fixture, extra: "substituters = [\"\(cache)\"]\ntrusted_public_keys = [\"\(key)\"]")
        let bad = try fixture.switchSystem(["--substituters", "ftp://cache.example.org"])
        #expect(bad.status == 2, "\(bad.errorOutput)")
        #expect(bad.errorOutput.contains("ftp://cache.example.org"), "\(bad.errorOutput)")
        let result = try fixture.switchSystem(["--json", "--no-substitute"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        #expect((object["built"] as? [String])?.isEmpty == false, "app is built: \(object)")
    }
}
