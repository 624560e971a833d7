import Foundation
import KeelCache
import KeelFormats
import KeelStore
import KeelTesting
import Testing

@Suite("keel cache push against nix 2.8", .enabled(if: NixOracle.isInstalled), .ownThreads)
struct CachePushNixTests {
    @Test("nix copy --from the pushed cache, requiring signatures, accepts Keel's key and sees the same paths")
    func nixAcceptsTheTrustedKey() throws {
        let fixture = try CachePushFixture()
        let built = try fixture.importNixBuiltClosure()
        let cache = fixture.temporary.appending("cache")
        let writer = CacheWriter(
            store: fixture.store, directory: cache, options: CachePushOptions(signingKey: fixture.key))
        let roots = [try fixture.store.storePath(built.top), fixture.top]
        let result = try writer.push(roots)
        let everything = (built.closure + (try fixture.closure)).sorted()
        #expect(result.written.map(fixture.store.fullPath) == everything)
        let target = fixture.nixStore("nixcopy")
        try built.nix.run(
            "nix",
            [
                "copy", "--from", "file://\(cache)", "--to", target, "--option", "require-sigs", "true",
                "--option", "trusted-public-keys", fixture.key.publicKey.text, built.top,
                fixture.store.fullPath(fixture.top),
            ])
        for full in everything {
            let info = try fixture.store.info(try fixture.store.storePath(full))
            let hash = try NixHash(
                parsing: try built.nix.output("nix-store", ["--store", target, "-q", "--hash", full]))
            #expect(hash == info.narHash, "\(full)")
            let references = try built.nix.output("nix-store", ["--store", target, "-q", "--references", full])
            #expect(
                Set(references.split(separator: "\n").map(String.init))
                    == Set(info.references.map(fixture.store.fullPath)), "\(full)")
        }
    }

    @Test("nix copy --from the pushed cache refuses it when another key is trusted, and registers nothing")
    func nixRefusesAnotherKey() throws {
        let fixture = try CachePushFixture()
        let built = try fixture.importNixBuiltClosure()
        let cache = fixture.temporary.appending("cache")
        _ = try CacheWriter(
            store: fixture.store, directory: cache, options: CachePushOptions(signingKey: fixture.key)
        ).push([try fixture.store.storePath(built.top)])
        let target = fixture.nixStore("nixcopy")
        let refused = try ProcessRunner.run(
            "nix",
            [
                "copy", "--from", "file://\(cache)", "--to", target, "--option", "require-sigs", "true",
                "--option", "trusted-public-keys", fixture.otherKey.publicKey.text, built.top,
            ], environment: built.nix.environment)
        #expect(refused.status != 0)
        #expect(refused.errorOutput.contains("lacks a valid signature"), "\(refused.errorOutput)")
        for full in built.closure {
            let valid = try ProcessRunner.run(
                "nix-store", ["--store", target, "--check-validity", full], environment: built.nix.environment)
            #expect(valid.status != 0, "nix registered \(full) without a trusted signature")
        }
    }

    @Test(
        "keel cache push writes the same narinfo and NAR files as nix copy --to file://, uncompressed and xz",
        arguments: [CacheCompression.none, .xz])
    func sameFilesAsNix(compression: CacheCompression) throws {
        let fixture = try CachePushFixture()
        let (nix, nixStore, top, closure) = try fixture.importNixBuiltClosure()
        let keyFile = fixture.temporary.appending("secret.key")
        try CachePushFixture.write(fixture.key.text, to: keyFile)
        let nixCache = fixture.temporary.appending("nix-cache")
        let keelCache = fixture.temporary.appending("keel-cache")
        try nix.run(
            "nix",
            [
                "copy", "--from", nixStore, "--to",
                "file://\(nixCache)?compression=\(compression.rawValue)&secret-key=\(keyFile)", top,
            ])
        let pushed = try KeelBinary.run([
            "cache", "push", "file://\(keelCache)", "--root", fixture.store.layout.root, "--compression",
            compression.rawValue, "--key", keyFile, top,
        ])
        #expect(pushed.status == 0, "\(pushed.errorOutput)")
        let nixFiles = try CachePushFixture.files(in: nixCache)
        let keelFiles = try CachePushFixture.files(in: keelCache)
        #expect(nixFiles.keys.sorted() == keelFiles.keys.sorted())
        #expect(nixFiles.keys.filter { $0.hasSuffix(".narinfo") }.count == closure.count)
        for (name, bytes) in nixFiles.sorted(by: { $0.key < $1.key }) {
            let keel = keelFiles[name] ?? []
            #expect(
                keel == bytes,
                "\(name): keel wrote\n\(String(decoding: keel.prefix(1000), as: UTF8.self))\nnix wrote\n\(String(decoding: bytes.prefix(1000), as: UTF8.self))"
            )
        }
    }
}
