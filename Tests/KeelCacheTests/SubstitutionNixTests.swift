import Foundation
import KeelCache
import KeelFileTree
import KeelFormats
import KeelStore
import KeelTesting
import Synchronization
import Testing

@Suite("Substituting from caches nix 2.8 wrote", .enabled(if: NixOracle.isInstalled), .ownThreads)
struct SubstitutionNixTests {
    @Test(
        "Substituting from nix copy --to file:// gives nix's paths, NAR hashes and references",
        arguments: ["xz", "none", "zstd"])
    func fromFileCache(compression: String) throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache", compression: compression)
        let store = try fixture.openStore()
        let substituter = try fixture.substituter(["file://\(cache)"])
        defer { substituter.close() }
        let reports = Mutex(0)
        let outcome = try substituter.substitute(
            [try fixture.layout.storeDirectory.parse(fixture.top)], into: store,
            progress: { _ in reports.withLock { $0 += 1 } })
        #expect(outcome.failures.map(\.reason) == [])
        #expect(outcome.fetched.map(store.fullPath).sorted() == fixture.closure)
        #expect(try fixture.differences(in: store) == [])
        #expect(reports.withLock { $0 } > 0)
        let again = try substituter.substitute([try fixture.layout.storeDirectory.parse(fixture.top)], into: store)
        #expect(again.succeeded && again.fetched.isEmpty)
    }

    @Test(
        "Substituting over http:// from a real nginx serving nix's cache gives nix's paths",
        .enabled(if: SubstitutionNginx.isInstalled))
    func fromNginx() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        let nginx = try SubstitutionNginx(serving: cache, prefix: fixture.temporary.appending("nginx"))
        defer { nginx.stop() }
        let store = try fixture.openStore()
        let substituter = try fixture.substituter([nginx.url])
        defer { substituter.close() }
        let outcome = try substituter.substitute([try fixture.layout.storeDirectory.parse(fixture.top)], into: store)
        #expect(outcome.failures.map(\.reason) == [])
        #expect(outcome.fetched.map(store.fullPath).sorted() == fixture.closure)
        #expect(outcome.downloadedBytes > 0)
        #expect(try fixture.differences(in: store) == [])
    }

    @Test(
        "A tampered cache is refused, nothing is registered, and the reason names the path and the cache",
        arguments: SubstitutionTampering.allCases)
    func tampering(_ tampering: SubstitutionTampering) throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache", compression: tampering.compression)
        let target = try tampering.apply(to: fixture, cache: cache)
        let store = try fixture.openStore()
        let substituter = try fixture.substituter(
            ["file://\(cache)"], trusting: tampering == .untrustedKey ? [fixture.otherKey.publicKey] : nil)
        defer { substituter.close() }
        let top = try fixture.layout.storeDirectory.parse(fixture.top)
        let outcome = try substituter.substitute([top], into: store)
        #expect(outcome.fetched.isEmpty)
        #expect(try fixture.validPaths(in: store) == [])
        #expect(outcome.failures.count == 1)
        let failure = try #require(outcome.failures.first)
        #expect(failure.path == top)
        #expect(failure.code == tampering.expectedCode)
        #expect(failure.reason.contains(store.fullPath(target)), "\(failure.reason)")
        #expect(failure.reason.contains("file://\(cache)"), "\(failure.reason)")
        #expect(failure.reason.contains(tampering.expectedWords), "\(failure.reason)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.layout.storeDirectory.path)
            .filter { !$0.hasSuffix(".lock") && !$0.hasPrefix(".keel") }
        #expect(leftovers == [])
    }

    @Test(
        "A NAR that nginx does not have is refused, naming the path and the cache",
        .enabled(if: SubstitutionNginx.isInstalled))
    func missingNAROverHTTP() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        let dep = try fixture.path(named: "dep")
        try FileManager.default.removeItem(atPath: try fixture.narFile(of: dep, in: cache))
        let nginx = try SubstitutionNginx(serving: cache, prefix: fixture.temporary.appending("nginx"))
        defer { nginx.stop() }
        let store = try fixture.openStore()
        let substituter = try fixture.substituter([nginx.url])
        defer { substituter.close() }
        let outcome = try substituter.substitute([try fixture.layout.storeDirectory.parse(fixture.top)], into: store)
        let reason = try #require(outcome.failures.first?.reason)
        #expect(reason.contains(store.fullPath(dep)) && reason.contains(nginx.url), "\(reason)")
        #expect(reason.contains("does not exist"), "\(reason)")
        #expect(try fixture.validPaths(in: store) == [])
    }

    @Test("A cache for another store directory is skipped with a message saying so")
    func otherStoreDirectory() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        try "StoreDir: /nix/store\n".write(toFile: "\(cache)/nix-cache-info", atomically: false, encoding: .utf8)
        let store = try fixture.openStore()
        let substituter = try fixture.substituter(["file://\(cache)"])
        defer { substituter.close() }
        let outcome = try substituter.substitute([try fixture.layout.storeDirectory.parse(fixture.top)], into: store)
        #expect(outcome.fetched.isEmpty)
        let reason = try #require(outcome.failures.first?.reason)
        #expect(reason.contains("store directory '/nix/store'") && reason.contains("file://\(cache)"), "\(reason)")
        #expect(outcome.warnings.count == 1)
    }

    @Test(
        "A NAR of 24 MiB streams over http:// through the bounded chunk channel",
        .enabled(if: SubstitutionNginx.isInstalled))
    func largeNAROverHTTP() throws {
        let fixture = try SubstitutionFixture()
        let large = try fixture.addLargePath(size: 24 << 20)
        let cache = try fixture.writeCache("cache", compression: "none", paths: [large])
        let nginx = try SubstitutionNginx(serving: cache, prefix: fixture.temporary.appending("nginx"))
        defer { nginx.stop() }
        let store = try fixture.openStore()
        let substituter = try fixture.substituter([nginx.url])
        defer { substituter.close() }
        let path = try fixture.layout.storeDirectory.parse(large)
        let outcome = try substituter.substitute([path], into: store)
        #expect(outcome.failures.map(\.reason) == [])
        #expect(outcome.fetched == [path])
        #expect(try store.info(path).narHash == (try fixture.nixInfo(large)).hash)
        #expect(try TreeDumper.hash(path: large).0 == (try fixture.nixInfo(large)).hash)
    }

    @Test("Two substitutions of one closure at once both end with the closure valid, registered once")
    func concurrentSubstitutions() async throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache", compression: "none")
        let store = try fixture.openStore()
        let top = try fixture.layout.storeDirectory.parse(fixture.top)
        let substituters = try (0..<2).map { _ in try fixture.substituter(["file://\(cache)"]) }
        defer { for substituter in substituters { substituter.close() } }
        let outcomes = try await withThrowingTaskGroup(of: SubstitutionOutcome.self) { group in
            for substituter in substituters {
                group.addTask { try await Blocking.run { try substituter.substitute([top], into: store) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.flatMap(\.failures).map(\.reason))")
        #expect(outcomes.map(\.fetched.count).reduce(0, +) == fixture.closure.count)
        #expect(try fixture.differences(in: store) == [])
    }

    @Test("A NAR that fails its check is refused and the next cache with the path is tried")
    func nextCacheAfterBadNAR() throws {
        let fixture = try SubstitutionFixture()
        let bad = try fixture.writeCache("bad", compression: "xz")
        _ = try SubstitutionTampering.truncated.apply(to: fixture, cache: bad)
        let good = try fixture.writeCache("good", compression: "none")
        let store = try fixture.openStore()
        let substituter = try fixture.substituter(["file://\(bad)", "file://\(good)"])
        defer { substituter.close() }
        let outcome = try substituter.substitute([try fixture.layout.storeDirectory.parse(fixture.top)], into: store)
        #expect(outcome.failures.map(\.reason) == [])
        #expect(try fixture.differences(in: store) == [])
    }

    @Test("A narinfo without a trusted signature is refused and the next cache is tried")
    func nextCacheAfterRefusal() throws {
        let fixture = try SubstitutionFixture()
        let untrusted = try fixture.writeCache("untrusted", compression: "none")
        let top = try fixture.layout.storeDirectory.parse(fixture.top)
        try fixture.editNarInfo(of: top, in: untrusted, resign: false) { $0.signatures = [] }
        let good = try fixture.writeCache("good")
        let store = try fixture.openStore()
        let substituter = try fixture.substituter(["file://\(untrusted)", "file://\(good)"])
        defer { substituter.close() }
        let outcome = try substituter.substitute([top], into: store)
        #expect(outcome.failures.map(\.reason) == [])
        #expect(try fixture.differences(in: store) == [])
    }

    @Test("A path no cache has is reported as not found, and the others asked for are still fetched")
    func missingPath() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        let store = try fixture.openStore()
        let missing = try fixture.layout.storeDirectory.parse(
            fixture.layout.storeDirectory.path + "/00000000000000000000000000000000-missing")
        let substituter = try fixture.substituter(["file://\(cache)"])
        defer { substituter.close() }
        let outcome = try substituter.substitute([missing, try fixture.path(named: "dep")], into: store)
        #expect(outcome.failures.map(\.path) == [missing])
        #expect(outcome.failures.first?.code == .notFound)
        #expect(outcome.failures.first?.reason.contains("file://\(cache)") == true)
        #expect(outcome.fetched == [try fixture.path(named: "dep")])
    }

    @Test("A cache that never answers is skipped after the timeout with a warning, and the next one serves")
    func silentCacheIsSkipped() throws {
        let fixture = try SubstitutionFixture()
        let cache = try fixture.writeCache("cache")
        let silent = try SubstitutionListeningSocket()
        let fired = Mutex(false)
        let watchdog = Watchdog.start {
            fired.withLock { $0 = true }
            silent.close()
        }
        defer { watchdog.cancel() }
        let silentURL = "http://127.0.0.1:\(silent.port)"
        let store = try fixture.openStore()
        let substituter = try fixture.substituter([silentURL, "file://\(cache)"], timeout: .seconds(1))
        defer { substituter.close() }
        let outcome = try substituter.substitute([try fixture.layout.storeDirectory.parse(fixture.top)], into: store)
        #expect(!fired.withLock { $0 }, "the substitution waited for the watchdog")
        #expect(outcome.failures.map(\.reason) == [])
        #expect(outcome.warnings.count == 1)
        #expect(outcome.warnings.first?.contains(silentURL) == true, "\(outcome.warnings)")
        #expect(outcome.warnings.first?.contains("no answer within 1 s") == true, "\(outcome.warnings)")
        #expect(try fixture.differences(in: store) == [])
    }
}
