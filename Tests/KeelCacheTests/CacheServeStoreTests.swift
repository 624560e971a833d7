import Foundation
import KeelCache
import KeelFormats
import KeelStore
import KeelTesting
import Testing

@Suite("keel cache serve --store against nix 2.8", .ownThreads)
struct CacheServeStoreTests {
    @Test(
        "nix copies a closure from the served store, signatures checked, with the store's NAR hashes and references",
        arguments: ["none", "zstd", "xz"])
    func nixCopiesTheClosure(compression: String) throws {
        let fixture = try CacheServeStoreFixture()
        let server = try CacheServeProcess(
            fixture.serveArguments + ["--key", fixture.keyFile, "--compression", compression])
        #expect(server.line == "serving store \(fixture.store.layout.storeDirectory.path) on \(server.url)")
        let target = fixture.nixStore("copied")
        try fixture.nixCopy(from: server.url, to: target, trusting: fixture.key.publicKey)
        let closure = try fixture.closure
        #expect(closure.count == 6)
        for full in closure {
            let info = try fixture.store.info(try fixture.store.storePath(full))
            let hash = try fixture.nix.output("nix-store", ["--store", target, "-q", "--hash", full])
            #expect(try NixHash(parsing: hash) == info.narHash, "\(full)")
            let references = try fixture.nix.output("nix-store", ["--store", target, "-q", "--references", full])
            #expect(
                Set(references.split(separator: "\n").map(String.init))
                    == Set(info.references.map(fixture.store.fullPath)),
                "\(full)")
        }
        try fixture.nix.run("nix-store", ["--store", target, "--verify-path"] + closure)
        #expect(server.stop() == 0, "SIGTERM ends the server with status 0")
    }

    @Test("nix refuses input-addressed paths of the served store unless it trusts the key, and registers none")
    func nixRefusesAnotherKey() throws {
        let fixture = try CacheServeStoreFixture()
        let server = try CacheServeProcess(fixture.serveArguments + ["--key", fixture.keyFile])
        let unsigned = try CacheServeProcess(fixture.serveArguments)
        let target = fixture.nixStore("refused")
        let path = fixture.inputAddressed
        #expect(throws: NixOracleError.self, "another key") {
            try fixture.nixCopy(from: server.url, to: target, trusting: fixture.otherKey.publicKey, path: path)
        }
        #expect(throws: NixOracleError.self, "no signature") {
            try fixture.nixCopy(from: unsigned.url, to: target, trusting: fixture.key.publicKey, path: path)
        }
        #expect(throws: NixOracleError.self, "nothing input-addressed was registered") {
            try fixture.nix.run("nix-store", ["--store", target, "--check-validity", fixture.store.fullPath(path)])
        }
        try fixture.nixCopy(from: server.url, to: target, trusting: fixture.key.publicKey, path: path)
        try fixture.nix.run("nix-store", ["--store", target, "--check-validity", fixture.store.fullPath(path)])
    }

    @Test("narinfos and NARs as served: cache info, signature, URL naming the NAR hash, ETag, 304, HEAD and 404")
    func servedFiles() throws {
        let fixture = try CacheServeStoreFixture()
        let server = try CacheServeProcess(
            fixture.serveArguments + ["--key", fixture.keyFile, "--compression", "zstd"])
        let cacheInfo = try CacheServeHTTP.request("GET", "/nix-cache-info", port: server.port)
        #expect(cacheInfo.status == 200)
        #expect(
            String(decoding: cacheInfo.body, as: UTF8.self)
                == "StoreDir: \(fixture.store.layout.storeDirectory.path)\nWantMassQuery: 1\nPriority: 30\n")

        let info = try fixture.store.info(fixture.top)
        let narinfoResponse = try CacheServeHTTP.request("GET", "/\(info.path.hashPart).narinfo", port: server.port)
        #expect(narinfoResponse.status == 200)
        let narinfo = try NarInfo(parsing: String(decoding: narinfoResponse.body, as: UTF8.self))
        #expect(narinfo.storePath == fixture.store.fullPath(info.path))
        #expect(narinfo.narHash == info.narHash && narinfo.narSize == info.narSize)
        #expect(narinfo.compression == "zstd" && narinfo.fileHash == nil && narinfo.fileSize == nil)
        #expect(narinfo.url == "nar/\(info.path.hashPart)-\(info.narHash.encoded(.nixBase32)).nar.zst")
        #expect(try narinfo.validSignatures(for: fixture.key.publicKey).count == 1)
        #expect(try narinfo.validSignatures(for: fixture.otherKey.publicKey).isEmpty)

        let nar = try CacheServeHTTP.request("GET", "/" + narinfo.url, port: server.port)
        #expect(nar.status == 200)
        let entityTag = try #require(nar.headers["etag"])
        #expect(entityTag.contains(info.narHash.encoded(.nixBase32)))
        #expect(!nar.body.isEmpty && nar.body.starts(with: [0x28, 0xb5, 0x2f, 0xfd]), "a zstd frame")
        let again = try CacheServeHTTP.request(
            "GET", "/" + narinfo.url, port: server.port, headers: ["If-None-Match": entityTag])
        #expect(again.status == 304 && again.body.isEmpty)
        let head = try CacheServeHTTP.request("HEAD", "/" + narinfo.url, port: server.port)
        #expect(head.status == 200 && head.body.isEmpty && head.headers["etag"] == entityTag)

        let wrongHash = "nar/\(info.path.hashPart)-\(String(repeating: "0", count: 52)).nar.zst"
        let absent = "\(String(repeating: "0", count: 32)).narinfo"
        let otherCompression = "nar/\(info.path.hashPart)-\(info.narHash.encoded(.nixBase32)).nar"
        for target in [wrongHash, absent, otherCompression, "nar/x.nar.zst", "abc.narinfo", "store", "../etc/passwd"] {
            #expect(try CacheServeHTTP.request("GET", "/" + target, port: server.port).status == 404, "\(target)")
        }
        #expect(try CacheServeHTTP.request("HEAD", "/" + absent, port: server.port).status == 404)
        #expect(try CacheServeHTTP.request("PUT", "/" + absent, port: server.port).status == 405)
        #expect(server.stop() == 0)
    }

    @Test("an uncompressed NAR is the store path's NAR, with its Content-Length")
    func uncompressedNAR() throws {
        let fixture = try CacheServeStoreFixture()
        let server = try CacheServeProcess(fixture.serveArguments)
        for path in try fixture.store.closure(of: [fixture.top]) {
            let info = try fixture.store.info(path)
            let narinfo = try NarInfo(
                parsing: String(
                    decoding: try CacheServeHTTP.request("GET", "/\(path.hashPart).narinfo", port: server.port).body,
                    as: UTF8.self))
            #expect(narinfo.signatures.isEmpty && narinfo.compression == "none")
            #expect(narinfo.fileHash == info.narHash && narinfo.fileSize == info.narSize)
            let nar = try CacheServeHTTP.request("GET", "/" + narinfo.url, port: server.port)
            #expect(nar.headers["content-length"] == "\(info.narSize)")
            #expect(StreamingHasher.hash(.sha256, nar.body) == info.narHash, "\(path)")
        }
    }

    @Test("a client that hangs up mid-NAR leaves the server serving; SIGINT ends it with status 0")
    func clientHangsUp() throws {
        let fixture = try CacheServeStoreFixture()
        let big = fixture.temporary.appending("big")
        // Larger than the chunks in flight and the socket buffers, so the dumper is held back.
        try Data(repeating: 0x5a, count: 48 << 20).write(to: URL(fileURLWithPath: big))
        let path = try fixture.store.add(big, name: "big")
        let info = try fixture.store.info(path)
        let server = try CacheServeProcess(fixture.serveArguments)
        let narinfo = try NarInfo(
            parsing: String(
                decoding: try CacheServeHTTP.request("GET", "/\(path.hashPart).narinfo", port: server.port).body,
                as: UTF8.self))
        for _ in 0..<3 { try CacheServeHTTP.hangUp("/" + narinfo.url, port: server.port, after: 1 << 20) }
        let nar = try CacheServeHTTP.request("GET", "/" + narinfo.url, port: server.port)
        #expect(nar.status == 200 && UInt64(nar.body.count) == info.narSize)
        #expect(StreamingHasher.hash(.sha256, nar.body) == info.narHash)
        #expect(server.stop(signal: SIGINT) == 0)
    }
}
