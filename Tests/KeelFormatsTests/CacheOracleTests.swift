import Foundation
import KeelFormats
import KeelTesting
import Testing

/// Re-serialises a NAR as it is parsed: proves reader and writer agree byte for byte.
private struct CopyingVisitor: NARVisitor {
    var writer: NARWriter<ArrayNARSink>

    init() throws { writer = try NARWriter(sink: ArrayNARSink()) }

    mutating func beginDirectory(name: [UInt8]?) throws {
        if let name { try writer.entry(name: name) }
        try writer.beginDirectory()
    }
    mutating func endDirectory() throws { try writer.endDirectory() }
    mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {
        if let name { try writer.entry(name: name) }
        try writer.beginFile(executable: executable, size: size)
    }
    mutating func contents(_ chunk: UnsafeRawBufferPointer) throws { try writer.writeContents(chunk) }
    mutating func endFile() throws { try writer.endFile() }
    mutating func symlink(name: [UInt8]?, target: [UInt8]) throws {
        if let name { try writer.entry(name: name) }
        try writer.symlink(target: target)
    }

    mutating func bytes() throws -> [UInt8] {
        try writer.finish()
        return writer.sink.bytes
    }
}

@Suite("Binary caches and export streams against nix", .ownThreads)
struct CacheOracleTests {
    static let expression = NixExpressions.closure

    /// Builds the closure of `top` in a private store; returns nix and the closure's paths.
    func build(_ temporary: TemporaryDirectory) throws -> (NixOracle, [String]) {
        let nix = try NixOracle(root: temporary.appending("nix"))
        let file = temporary.appending("build.nix")
        try Self.expression.write(toFile: file, atomically: false, encoding: .utf8)
        let top = try nix.output("nix-build", [file, "-A", "top", "--no-out-link"])
        let closure = try nix.output("nix-store", ["-qR", top]).split(separator: "\n").map(String.init)
        return (nix, closure)
    }

    @Test("narinfo files nix copy writes parse, print identically and verify; Keel signs as nix does")
    func narinfoFromNixCopy() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let (nix, closure) = try build(temporary)
        try nix.run(
            "nix-store",
            ["--generate-binary-cache-key", "nix-key", temporary.appending("sk"), temporary.appending("pk")])
        let secret = try SigningSecretKey(
            parsing: try String(contentsOfFile: temporary.appending("sk"), encoding: .utf8))
        let publicKey = try SigningPublicKey(
            parsing: try String(contentsOfFile: temporary.appending("pk"), encoding: .utf8))
        for compression in ["none", "xz"] {
            let cache = temporary.appending("cache-\(compression)")
            try nix.run(
                "nix",
                ["copy", "--to", "file://\(cache)?secret-key=\(temporary.appending("sk"))&compression=\(compression)"]
                    + closure)
            let files = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".narinfo") }
            #expect(files.count == closure.count)
            for file in files {
                let text = try String(contentsOfFile: "\(cache)/\(file)", encoding: .utf8)
                let info = try NarInfo(parsing: text)
                #expect(info.text == text, "\(file)")
                #expect(try info.validSignatures(for: publicKey).count == 1, "\(file)")
                #expect(
                    info.narHash
                        == (try NixHash(parsing: try nix.output("nix-store", ["-q", "--hash", info.storePath]))))
                var resigned = info
                resigned.signatures = []
                try resigned.sign(with: secret)
                #expect(resigned.signatures == info.signatures, "Keel's signature equals nix's for \(file)")
            }
        }
    }

    @Test(
        "NarHash written as SRI without padding or with unused bits set: nix 2.8 and Keel both accept it; a wrong length both refuse"
    )
    func oddNarHashes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let (nix, closure) = try build(temporary)
        let cache = temporary.appending("cache")
        try nix.run("nix", ["copy", "--to", "file://\(cache)?compression=none"] + closure)
        let file = try #require(
            try FileManager.default.contentsOfDirectory(atPath: cache).first { $0.hasSuffix(".narinfo") })
        let original = try String(contentsOfFile: "\(cache)/\(file)", encoding: .utf8)
        let info = try NarInfo(parsing: original)
        let body = String(info.narHash.sri.dropFirst("sha256-".count).dropLast())
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let lastValue = try #require(body.last.flatMap { alphabet.firstIndex(of: $0) })
        let unusedBitsSet = body.dropLast() + String(alphabet[lastValue | 3])
        let variants: [(value: String, accepted: Bool)] = [
            ("sha256-" + body, true), ("sha256-" + unusedBitsSet + "=", true), ("sha256-" + unusedBitsSet, true),
            ("sha256:" + unusedBitsSet + "=", true), ("sha256-" + body.dropLast(), false),
            ("sha256-" + body + "AA", false), ("sha256:" + body, false),
        ]
        for variant in variants {
            let text = original.replacingOccurrences(
                of: "NarHash: \(info.narHash.prefixed(.nixBase32))", with: "NarHash: \(variant.value)")
            try text.write(toFile: "\(cache)/\(file)", atomically: false, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: nix.root + "/cache")
            let nixAccepts =
                (try? nix.run("nix", ["path-info", "--store", "file://\(cache)", info.storePath])) != nil
            #expect(nixAccepts == variant.accepted, "nix 2.8 on \(variant.value)")
            let keel = try? NarInfo(parsing: text)
            #expect((keel != nil) == variant.accepted, "Keel on \(variant.value)")
            if let keel { #expect(keel.narHash == info.narHash, "\(variant.value)") }
        }
    }

    @Test("nix accepts a cache Keel signed with its own key, and refuses it without that key")
    func nixAcceptsKeelSignatures() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let (nix, closure) = try build(temporary)
        let cache = temporary.appending("cache")
        try nix.run("nix", ["copy", "--to", "file://\(cache)?compression=none"] + closure)
        let key = try SigningSecretKey.generate(name: "keel-test-1")
        for file in try FileManager.default.contentsOfDirectory(atPath: cache) where file.hasSuffix(".narinfo") {
            var info = try NarInfo(parsing: try String(contentsOfFile: "\(cache)/\(file)", encoding: .utf8))
            #expect(info.contentAddress == nil, "built paths are input-addressed, so nix needs a signature")
            info.signatures = []
            try info.sign(with: key)
            try info.text.write(toFile: "\(cache)/\(file)", atomically: false, encoding: .utf8)
        }
        let copy = ["copy", "--from", "file://\(cache)", "--option", "require-sigs", "true"]
        try nix.run(
            "nix",
            copy + [
                "--to", "local?root=\(temporary.appending("good"))", "--option", "trusted-public-keys",
                key.publicKey.text,
            ] + closure)
        let stranger = try SigningSecretKey.generate(name: "keel-test-1")
        #expect(throws: NixOracleError.self) {
            try nix.run(
                "nix",
                copy + [
                    "--to", "local?root=\(temporary.appending("bad"))", "--option", "trusted-public-keys",
                    stranger.publicKey.text,
                ]
                    + closure)
        }
    }

    @Test(
        "an export stream from nix reads with the right hashes; Keel's stream imports into nix and re-exports identically"
    )
    func exportStreams() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let (nix, closure) = try build(temporary)
        let stream = try nix.run("nix-store", ["--export"] + closure).standardOutput
        var reader = ExportReader(
            source: ArrayByteSource(stream), storeDirectory: try StoreDirectory(nix.storeDirectory))
        var paths: [(entry: ExportEntry, nar: [UInt8])] = []
        while true {
            var copier = try CopyingVisitor()
            guard let path = try reader.next(visitor: &copier) else { break }
            let nar = try copier.bytes()
            #expect(StreamingHasher.hash(.sha256, nar) == path.narHash)
            #expect(
                path.narHash == (try NixHash(parsing: try nix.output("nix-store", ["-q", "--hash", path.entry.path]))))
            let references = try nix.output("nix-store", ["-q", "--references", path.entry.path]).split(separator: "\n")
                .map(String.init)
            #expect(Set(path.entry.references) == Set(references))
            let deriver = try nix.output("nix-store", ["-q", "--deriver", path.entry.path])
            #expect(path.entry.deriver == (deriver == "unknown-deriver" ? nil : deriver))
            paths.append((path.entry, nar))
        }
        #expect(paths.count == closure.count)
        #expect(paths.contains { $0.entry.references.contains($0.entry.path) }, "a self-reference is covered")

        let ours = ExportStream.write(paths)
        #expect(ours == stream, "Keel writes the stream nix wrote")
        let store = "local?root=\(temporary.appending("imported"))"
        try nix.run("nix-store", ["--store", store, "--import"], input: ours)
        let again = try nix.run("nix-store", ["--store", store, "--export"] + paths.map(\.entry.path)).standardOutput
        #expect(again == ours)
    }

    @Test("broken export streams are refused with the offset")
    func brokenStreams() throws {
        let store = try StoreDirectory("/nix/store")
        let nar =
            Array("\u{0d}\0\0\0\0\0\0\0nix-archive-1\0\0\0".utf8)
            + [1, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0]
            + [4, 0, 0, 0, 0, 0, 0, 0] + Array("type".utf8) + [0, 0, 0, 0]
            + [7, 0, 0, 0, 0, 0, 0, 0] + Array("symlink".utf8) + [0]
            + [6, 0, 0, 0, 0, 0, 0, 0] + Array("target".utf8) + [0, 0]
            + [1, 0, 0, 0, 0, 0, 0, 0] + Array("x".utf8) + [0, 0, 0, 0, 0, 0, 0]
            + [1, 0, 0, 0, 0, 0, 0, 0, 41, 0, 0, 0, 0, 0, 0, 0]
        let path = "/nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep"
        let good = ExportStream.write([(ExportEntry(path: path, references: [path], deriver: nil), nar)])
        func read(_ bytes: [UInt8]) throws {
            var reader = ExportReader(source: ArrayByteSource(bytes), storeDirectory: store)
            var visitor = ValidatingNARVisitor()
            while try reader.next(visitor: &visitor) != nil {}
        }
        try read(good)
        let outside = ExportStream.write([
            (ExportEntry(path: "/elsewhere/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep", references: [], deriver: nil), nar)
        ])
        var badMagic = good
        badMagic[8 + nar.count] = 0
        var badMarker = good
        badMarker[0] = 2
        let cases: [([UInt8], String)] = [
            (Array(good.dropLast(3)), "input ends early"),
            (good + [0], "trailing bytes"),
            (badMagic, "expected NIXE"),
            (badMarker, "unexpected marker 2 at byte 0"),
            (outside, "not in the store directory"),
            (Array(good[..<8]) + Array(repeating: 0, count: 8) + Array(good[16...]), "invalid NAR"),
        ]
        for (bytes, expected) in cases {
            do {
                try read(bytes)
                Issue.record("accepted a stream that should fail with \(expected)")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
    }
}
