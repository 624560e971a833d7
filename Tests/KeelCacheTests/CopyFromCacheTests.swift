import Foundation
import KeelCache
import KeelFormats
import KeelStore
import KeelTesting
import Testing

@Suite("keel copy --from a binary cache", .enabled(if: NixOracle.isInstalled), .ownThreads)
struct CopyFromCacheTests {
    @Test("keel copy --from file:// copies nix's closure into an empty root")
    func fromFileCache() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        let result = try KeelBinary.run([
            "copy", "--root", fixture.keelRoot, "--from", "file://\(cache)", "--trusted-public-keys",
            fixture.key.publicKey.text, fixture.top,
        ])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(
            result.output.contains("copied \(fixture.closure.count) paths from file://\(cache)"), "\(result.output)")
        #expect(try fixture.differences(in: try fixture.openStore()) == [])
    }

    @Test(
        "keel copy --from http:// a real nginx, --json, keys given space-separated",
        .enabled(if: SubstitutionNginx.isInstalled))
    func fromNginxAsJSON() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache", compression: "none")
        let nginx = try SubstitutionNginx(serving: cache, prefix: fixture.temporary.appending("nginx"))
        defer { nginx.stop() }
        let result = try KeelBinary.run([
            "copy", "--root", fixture.keelRoot, "--from", nginx.url, "--json", "--jobs", "2",
            "--trusted-public-keys", "\(fixture.otherKey.publicKey.text) \(fixture.key.publicKey.text)", fixture.top,
        ])
        #expect(result.status == 0, "\(result.errorOutput)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any]
        #expect(summary?["fetched"] as? [String] == fixture.closure)
        #expect((summary?["failures"] as? [Any])?.isEmpty == true)
        #expect(summary?["from"] as? String == nginx.url)
        #expect(try fixture.differences(in: try fixture.openStore()) == [])
    }

    @Test("keel copy --from a tampered cache exits 1 with one line naming the path and the cache")
    func tamperedCacheFails() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        let dep = try SubstitutionTampering.narHash.apply(to: fixture, cache: cache)
        let result = try KeelBinary.run([
            "copy", "--root", fixture.keelRoot, "--from", "file://\(cache)", "--trusted-public-keys",
            fixture.key.publicKey.text, fixture.top,
        ])
        #expect(result.status == 1)
        let lines = result.errorOutput.split(separator: "\n")
        #expect(lines.count == 1, "\(result.errorOutput)")
        let full = fixture.layout.storeDirectory.fullPath(dep)
        #expect(
            result.errorOutput.contains(full) && result.errorOutput.contains("file://\(cache)"), "\(result.errorOutput)"
        )
        #expect(try fixture.validPaths(in: try fixture.openStore()) == [])
    }

    @Test("keel copy --from without a trusted key refuses the unsigned closure")
    func noTrustedKeyFails() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        let result = try KeelBinary.run(["copy", "--root", fixture.keelRoot, "--from", "file://\(cache)", fixture.top])
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("no signature by a trusted key"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains(fixture.top), "\(result.errorOutput)")
        #expect(try fixture.validPaths(in: try fixture.openStore()) == [])
    }

    @Test("keel copy --from a cache that never answers gives up after --timeout with one line naming path and cache")
    func silentCacheTimesOut() throws {
        let fixture = try SubstitutionFixture()
        let silent = try SubstitutionListeningSocket()
        // Were the timeout ignored, closing the socket resets the connection and the test fails.
        let watchdog = Watchdog.start { silent.close() }
        defer { watchdog.cancel() }
        let url = "http://127.0.0.1:\(silent.port)"
        let result = try KeelBinary.run([
            "copy", "--root", fixture.keelRoot, "--from", url, "--timeout", "1", "--trusted-public-keys",
            fixture.key.publicKey.text, fixture.top,
        ])
        #expect(result.status == 1)
        #expect(result.errorOutput.split(separator: "\n").count == 1, "\(result.errorOutput)")
        #expect(result.errorOutput.contains(fixture.top) && result.errorOutput.contains(url), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("no answer within 1 s"), "\(result.errorOutput)")
    }
}
