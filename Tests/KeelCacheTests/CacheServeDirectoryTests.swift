import Foundation
import KeelFormats
import KeelTesting
import Testing

@Suite("keel cache serve DIR", .ownThreads)
struct CacheServeDirectoryTests {
    /// A cache directory written by `nix copy --to file://` (uncompressed) of a path referring
    /// to another, with the nix that wrote it and the two paths.
    struct NixCache {
        let temporary: TemporaryDirectory
        let nix: NixOracle
        let cache: String
        let paths: [String]

        init() throws {
            temporary = try TemporaryDirectory(prefix: "keel-cache-serve-dir")
            let root = temporary.appending("nix")
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            nix = try NixOracle(root: root)
            let quoted = try nix.output(
                "nix-instantiate",
                [
                    "--eval", "--read-write-mode", "-E",
                    #"builtins.toFile "top" "uses ${builtins.toFile "leaf" "leaf contents"}""#,
                ])
            let top = quoted.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            paths = try nix.output("nix-store", ["-qR", top]).split(separator: "\n").map(String.init).sorted()
            cache = temporary.appending("cache")
            try nix.run("nix", ["copy", "--to", "file://\(cache)?compression=none"] + paths)
        }
    }

    @Test("nix copies from a directory nix wrote, served over HTTP, with the same hashes and references")
    func nixCopiesFromServedDirectory() throws {
        let fixture = try NixCache()
        defer { fixture.temporary.remove() }
        #expect(fixture.paths.count == 2)
        let server = try CacheServeProcess([fixture.cache])
        #expect(server.line == "serving cache directory \(fixture.cache) on \(server.url)")
        let target = "local?root=\(fixture.temporary.appending("copied"))"
        try fixture.nix.run("nix", ["copy", "--from", server.url, "--to", target] + fixture.paths)
        for path in fixture.paths {
            for query in ["--hash", "--references"] {
                #expect(
                    try fixture.nix.output("nix-store", ["--store", target, "-q", query, path])
                        == (try fixture.nix.output("nix-store", ["-q", query, path])), "\(query) \(path)")
            }
        }
        #expect(server.stop() == 0)
    }

    @Test("HEAD, ETag and 304, Range (206, suffix, 416), 404, and no way out of the directory")
    func httpSemantics() throws {
        let fixture = try NixCache()
        defer { fixture.temporary.remove() }
        let cache = fixture.cache
        let narName = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(cache)/nar").first)
        let nar = Array(try Data(contentsOf: URL(fileURLWithPath: "\(cache)/nar/\(narName)")))
        try FileManager.default.createSymbolicLink(atPath: "\(cache)/escape", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(
            atPath: "\(cache)/link.narinfo", withDestinationPath: "/etc/hostname")
        try FileManager.default.createSymbolicLink(
            atPath: "\(cache)/nar/link.nar", withDestinationPath: "../nix-cache-info")
        try "secret".write(toFile: "\(cache)/.hidden", atomically: false, encoding: .utf8)
        let server = try CacheServeProcess([cache])
        let port = server.port

        let info = try CacheServeHTTP.request("GET", "/nix-cache-info", port: port)
        #expect(info.status == 200)
        #expect(info.body == Array(try Data(contentsOf: URL(fileURLWithPath: "\(cache)/nix-cache-info"))))
        let head = try CacheServeHTTP.request("HEAD", "/nar/\(narName)", port: port)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers["content-length"] == "\(nar.count)" && head.headers["accept-ranges"] == "bytes")
        let whole = try CacheServeHTTP.request("GET", "/nar/\(narName)", port: port)
        #expect(whole.status == 200 && whole.body == nar)
        let entityTag = try #require(whole.headers["etag"])
        #expect(head.headers["etag"] == entityTag)
        let notModified = try CacheServeHTTP.request(
            "GET", "/nar/\(narName)", port: port, headers: ["If-None-Match": "\"other\", \(entityTag)"])
        #expect(notModified.status == 304 && notModified.body.isEmpty)
        #expect(
            try CacheServeHTTP.request("GET", "/nar/\(narName)", port: port, headers: ["If-None-Match": "\"other\""])
                .status == 200)

        let partial = try CacheServeHTTP.request("GET", "/nar/\(narName)", port: port, headers: ["Range": "bytes=8-20"])
        #expect(partial.status == 206 && partial.body == Array(nar[8...20]))
        #expect(partial.headers["content-range"] == "bytes 8-20/\(nar.count)")
        let suffix = try CacheServeHTTP.request("GET", "/nar/\(narName)", port: port, headers: ["Range": "bytes=-16"])
        #expect(suffix.status == 206 && suffix.body == Array(nar.suffix(16)))
        let open = try CacheServeHTTP.request("GET", "/nar/\(narName)", port: port, headers: ["Range": "bytes=100-"])
        #expect(open.status == 206 && open.body == Array(nar[100...]))
        let beyond = try CacheServeHTTP.request(
            "GET", "/nar/\(narName)", port: port, headers: ["Range": "bytes=\(nar.count)-"])
        #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */\(nar.count)")
        let stale = try CacheServeHTTP.request(
            "GET", "/nar/\(narName)", port: port, headers: ["Range": "bytes=0-3", "If-Range": "\"stale\""])
        #expect(stale.status == 200 && stale.body == nar, "an If-Range that does not match gets the whole file")

        let refused = [
            "/missing.narinfo", "/nar", "/nar/", "/../etc/passwd", "/nar/../nix-cache-info",
            "/nar/%2e%2e/nix-cache-info",
            "/%2e%2e/etc/passwd", "/.hidden", "/escape/passwd", "/escape", "/link.narinfo", "/nar/link.nar",
            "//etc/passwd",
            "/nar/./\(narName)", "/a/b/c/d/e",
        ]
        for target in refused {
            let response = try CacheServeHTTP.request("GET", target, port: port)
            #expect(response.status == 404, "\(target)")
            #expect(!String(decoding: response.body, as: UTF8.self).contains("root:"), "\(target)")
        }
        #expect(try CacheServeHTTP.request("DELETE", "/nix-cache-info", port: port).status == 405)
        #expect(server.stop() == 0)
    }

    @Test("clear errors: a missing directory, one that is not a cache, a bad --listen, a bad key, bad combinations")
    func errors() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-cache-serve-errors")
        defer { temporary.remove() }
        let missing = try KeelBinary.run(["cache", "serve", temporary.appending("missing")])
        #expect(
            missing.status == 1 && missing.errorOutput.contains("'\(temporary.appending("missing"))' does not exist"))
        let notCache = try KeelBinary.run(["cache", "serve", temporary.path])
        #expect(notCache.status == 1 && notCache.errorOutput.contains("nix-cache-info"))
        for listen in ["127.0.0.1", "127.0.0.1:65536", ":80", "127.0.0.1:x", "a b:1", "[::1:5000"] {
            let bad = try KeelBinary.run(["cache", "serve", temporary.path, "--listen", listen])
            #expect(bad.status == 2 && bad.errorOutput.contains("invalid listen address '\(listen)'"), "\(listen)")
        }
        let keyFile = temporary.appending("bad.key")
        try "not a key".write(toFile: keyFile, atomically: false, encoding: .utf8)
        let root = temporary.appending("root")
        let badKey = try KeelBinary.run(["cache", "serve", "--store", "--root", root, "--key", keyFile])
        #expect(badKey.status == 1 && badKey.errorOutput.contains(keyFile))
        let missingKey = try KeelBinary.run([
            "cache", "serve", "--store", "--root", root, "--key", temporary.appending("nope"),
        ])
        #expect(missingKey.status == 1 && missingKey.errorOutput.contains(temporary.appending("nope")))
        for arguments in [
            [temporary.path, "--store"], [], [temporary.path, "--key", keyFile],
            [temporary.path, "--compression", "xz"],
            ["--store", "--compression", "bzip2"],
        ] {
            #expect(try KeelBinary.run(["cache", "serve"] + arguments).status == 2, "\(arguments)")
        }
    }

    @Test("an address in use, or not this host's, is refused with a message naming it")
    func addressRefused() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-cache-serve-port")
        defer { temporary.remove() }
        try "StoreDir: /nix/store\n".write(
            toFile: temporary.appending("nix-cache-info"), atomically: false, encoding: .utf8)
        let first = try CacheServeProcess([temporary.path])
        let second = try KeelBinary.run(["cache", "serve", temporary.path, "--listen", "127.0.0.1:\(first.port)"])
        #expect(second.status == 1)
        #expect(second.errorOutput == "keel: cannot listen on 127.0.0.1:\(first.port): Address already in use\n")
        // 192.0.2.0/24 is TEST-NET-1: never an address of this host.
        let foreign = try KeelBinary.run(["cache", "serve", temporary.path, "--listen", "192.0.2.1:0"])
        #expect(foreign.status == 1)
        #expect(foreign.errorOutput == "keel: cannot listen on 192.0.2.1:0: Cannot assign requested address\n")
        #expect(first.stop() == 0)
    }
}
