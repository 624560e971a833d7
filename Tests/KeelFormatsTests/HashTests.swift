import KeelFormats
import KeelTesting
import Testing

@Suite("Hash encodings", .ownThreads)
struct HashTests {
    @Test(
        "Nix base32 matches the spec's vectors",
        arguments: [
            ("01" + String(repeating: "00", count: 19), "00000000000000000000000000000001"),
            (String(repeating: "00", count: 19) + "01", "04000000000000000000000000000000"),
            (String(repeating: "00", count: 31) + "80", "1000000000000000000000000000000000000000000000000000"),
            (
                "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
                "00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq"
            ),
            ("b1946ac92492d2347c6235b4d2611184", "4425hx5d1mc9y39llj4k4nm55i"),
        ])
    func base32Vectors(hex: String, base32: String) throws {
        let bytes = try #require(Base16.decode(hex))
        #expect(NixBase32.encode(bytes) == base32)
        #expect(NixBase32.decode(base32, byteCount: bytes.count) == bytes)
    }

    @Test("base32 decoding rejects upper case, foreign characters, bad lengths and overflow")
    func base32Rejects() {
        #expect(NixBase32.decode("1HZ4", byteCount: 2) == nil)
        #expect(NixBase32.decode("00000000000000000000000000000e01", byteCount: 20) == nil)
        #expect(NixBase32.decode("0000", byteCount: 20) == nil)
        #expect(NixBase32.decode("2" + String(repeating: "0", count: 51), byteCount: 32) == nil)
    }

    @Test("base32 round-trips random digests of every size", arguments: [16, 20, 32, 64])
    func base32RoundTrip(size: Int) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(NixBase32.decode(NixBase32.encode(bytes), byteCount: size) == bytes)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base16.decode(Base16.encode(bytes)) == bytes)
        }
    }

    @Test("every textual form parses to the same hash")
    func parsingForms() throws {
        let hash = StreamingHasher.hash(.sha256, Array("hello\n".utf8))
        #expect(hash.base16 == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        for text in [
            hash.sri, hash.prefixed(.base16), hash.prefixed(.nixBase32), hash.prefixed(.base64),
            "sha256:" + hash.base16.uppercased(),
        ] {
            #expect(try NixHash(parsing: text) == hash, "\(text)")
        }
        #expect(try NixHash(parsing: hash.nixBase32, algorithm: .sha256) == hash)
        #expect(try NixHash(parsing: hash.base16, algorithm: .sha256) == hash)
    }

    @Test("base64 as Nix 2.8 reads hashes: padding optional, unused bits ignored, foreign characters refused")
    func lenientBase64() throws {
        #expect(Base64.decodeIgnoringUnusedBits("aGk=") == Array("hi".utf8))
        #expect(Base64.decodeIgnoringUnusedBits("aGk") == Array("hi".utf8))
        #expect(Base64.decodeIgnoringUnusedBits("aGl") == Array("hi".utf8), "unused bits set")
        #expect(Base64.decodeIgnoringUnusedBits("aGl=") == Array("hi".utf8), "unused bits set, padded")
        #expect(Base64.decode("aGl=") == nil, "the strict decoder refuses set unused bits")
        #expect(Base64.decodeIgnoringUnusedBits("") == [])
        for refused in ["aGk==", "a===", "aG=k", "aGk!", "a", "aGkxa", "=aGk"] {
            #expect(Base64.decodeIgnoringUnusedBits(refused) == nil, "\(refused)")
        }
        let hash = StreamingHasher.hash(.sha256, Array("hello\n".utf8))
        let body = hash.sri.dropFirst("sha256-".count).dropLast()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let last = try #require(body.last.flatMap { alphabet.firstIndex(of: $0) })
        let unusedBitsSet = body.dropLast() + String(alphabet[last | 3])
        for text in [
            "sha256-\(body)", "sha256-\(unusedBitsSet)", "sha256-\(unusedBitsSet)=", "sha256:\(unusedBitsSet)=",
        ] {
            #expect(try NixHash(parsing: text) == hash, "\(text)")
        }
        for text in ["sha256:\(body)", "sha256-\(body.dropLast())", "sha256-\(body)AA"] {
            #expect(throws: HashParseError.self, "\(text)") { try NixHash(parsing: text) }
        }
    }

    @Test("bad hash strings get their own errors")
    func parsingErrors() {
        #expect(throws: HashParseError.unknownAlgorithm("sha3")) { try NixHash(parsing: "sha3:abcd") }
        #expect(throws: HashParseError.missingAlgorithm("abcd")) { try NixHash(parsing: "abcd") }
        #expect(throws: HashParseError.invalidDigest("sha256:xyz", algorithm: .sha256)) {
            try NixHash(parsing: "sha256:xyz")
        }
        #expect(throws: HashParseError.algorithmMismatch("sha1:00", expected: .sha256)) {
            try NixHash(parsing: "sha1:00", algorithm: .sha256)
        }
    }

    @Test("XOR folding to 20 bytes matches the spec")
    func compression() throws {
        let digest = try #require(Base16.decode("fe50c26088fb1e2ba70dc3de7815d4b7fe5c6f8a83fb6464fb3da70023809016"))
        let hash = try #require(NixHash(algorithm: .sha256, digest: digest))
        let folded = hash.compressed()
        #expect(Base16.encode(folded) == "7daba60473c6b92b848d53c87815d4b7fe5c6f8a")
        #expect(NixBase32.encode(folded) == "i9pmrzmpshapij2kin22pff6fc2adavx")
    }

    @Test("md5, sha1 and sha512 digests have the right sizes and known values")
    func otherAlgorithms() {
        let input = Array("hello\n".utf8)
        #expect(StreamingHasher.hash(.md5, input).base16 == "b1946ac92492d2347c6235b4d2611184")
        #expect(StreamingHasher.hash(.sha1, input).base16 == "f572d396fae9206628714fb2ce00f72e94f2258f")
        #expect(StreamingHasher.hash(.sha512, input).digest.count == 64)
    }
}
