import Foundation
import KeelCache
import KeelFormats
import KeelStore
import KeelTesting
import Testing

@Suite("keel cache push", .ownThreads)
struct CachePushCommandTests {
    @Test("pushes to file://DIR with --json, then skips; refusals exit 1 with one line, usage errors 2")
    func commandLine() throws {
        let fixture = try CachePushFixture()
        let root = fixture.store.layout.root
        let top = fixture.store.fullPath(fixture.top)
        let cache = fixture.temporary.appending("new/cache")
        let first = try KeelBinary.run(["cache", "push", "file://\(cache)", "--root", root, "--json", top])
        #expect(first.status == 0, "\(first.errorOutput)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(first.standardOutput)) as? [String: Any])
        #expect(summary["written"] as? [String] == (try fixture.closure))
        #expect((summary["skipped"] as? [String])?.isEmpty == true)
        #expect(FileManager.default.fileExists(atPath: cache + "/" + CacheLayout.narinfoName(of: fixture.top)))

        let second = try KeelBinary.run(["cache", "push", cache, "--root", root, "--compression", "none", top])
        #expect(second.status == 0, "\(second.errorOutput)")
        #expect(second.output.contains("pushed 0 paths") && second.output.contains("5 already in the cache"))

        let other = fixture.temporary.appending("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try CachePushFixture.write("StoreDir: /nix/store\n", to: other + "/nix-cache-info")
        let refused = try KeelBinary.run(["cache", "push", other, "--root", root, top])
        #expect(refused.status == 1)
        #expect(refused.errorOutput.hasPrefix("keel: ") && refused.errorOutput.contains("/nix/store"))
        #expect(refused.errorOutput.split(separator: "\n").count == 1, "\(refused.errorOutput)")

        let badKey = fixture.temporary.appending("bad.key")
        try CachePushFixture.write("not a key", to: badKey)
        let keyRefused = try KeelBinary.run(["cache", "push", cache, "--root", root, "--key", badKey, top])
        #expect(keyRefused.status == 1 && keyRefused.errorOutput.contains(badKey), "\(keyRefused.errorOutput)")

        for arguments in [
            ["cache", "push", cache, "--root", root],
            ["cache", "push", "http://127.0.0.1:1/", "--root", root, top],
            ["cache", "push", cache, "--root", root, "--compression", "bzip2", top],
            ["cache", "push", cache, "--root", root, "--jobs", "0", top],
        ] {
            let usage = try KeelBinary.run(arguments)
            #expect(usage.status == 2, "\(arguments): \(usage.errorOutput)")
        }
    }
}
