import KeelFormats
import KeelTesting
import Testing

@Suite("narinfo and signatures", .ownThreads)
struct NarInfoTests {
    static let secret = SpecVectors.secretKey
    static let publicKey = SpecVectors.publicKey
    static let signature = SpecVectors.signature
    static let text = SpecVectors.narinfo

    @Test("the spec's narinfo round-trips and its fingerprint and signature match")
    func specExample() throws {
        let info = try NarInfo(parsing: Self.text)
        #expect(info.text == Self.text)
        #expect(
            try info.fingerprint()
                == "1;/nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep;sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j;808;/nix/store/4y77d79x9mqd8rvfxy8swfv68qn205vb-dep-dev,/nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep,/nix/store/mfxcg50dkil46c9672za69mc0v3ss4k1-fod-flat"
        )
        let key = try SigningSecretKey(parsing: Self.secret)
        #expect(key.text == Self.secret)
        #expect(key.publicKey.text == Self.publicKey)
        #expect(key.sign(Array(try info.fingerprint().utf8)) == Self.signature)
        let publicKey = try SigningPublicKey(parsing: Self.publicKey + "\n")
        #expect(try info.validSignatures(for: publicKey) == [Self.signature])

        var tampered = info
        tampered.narSize = 809
        #expect(try tampered.validSignatures(for: publicKey).isEmpty)
        var resigned = info
        resigned.signatures = []
        try resigned.sign(with: key)
        #expect(resigned.text == Self.text)
    }

    @Test("a signature by another key name or of the wrong length is not valid")
    func foreignSignatures() throws {
        let info = try NarInfo(parsing: Self.text)
        let other = try SigningSecretKey.generate(name: "test-cache-1")
        #expect(try info.validSignatures(for: other.publicKey).isEmpty)
        let key = try SigningPublicKey(parsing: Self.publicKey)
        let message = Array(try info.fingerprint().utf8)
        #expect(
            !key.verify(signature: Self.signature.replacingOccurrences(of: "test-cache-1", with: "other"), of: message))
        #expect(!key.verify(signature: "test-cache-1:AAAA", of: message))
        #expect(!key.verify(signature: "nocolon", of: message))
    }

    @Test("hex hashes, unsorted references and unknown keys are accepted; output is canonical")
    func lenientParsing() throws {
        let hex = StreamingHasher.hash(.sha256, [1, 2, 3])
        let text = """
            StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep
            URL: nar/x.nar
            NarHash: \(hex.prefixed(.base16))
            NarSize: 8
            References: mfxcg50dkil46c9672za69mc0v3ss4k1-fod-flat 4y77d79x9mqd8rvfxy8swfv68qn205vb-dep-dev
            Future: something
            CA: fixed:r:sha256:\(hex.nixBase32)

            """
        let info = try NarInfo(parsing: text)
        #expect(info.narHash == hex)
        #expect(info.text.contains("NarHash: \(hex.prefixed(.nixBase32))\n"))
        #expect(info.contentAddress?.method == .recursive)
        #expect(!info.text.contains("Future"))
    }

    /// The spec narinfo with its NarHash line written another way.
    static func withNarHash(_ value: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix("NarHash: ") ? "NarHash: \(value)" : String($0)
        }.joined(separator: "\n")
    }

    /// The spec narinfo's NarHash as SRI base64, without the `sha256-` and the `=`.
    static var sriBody: String { String(try! NarInfo(parsing: text).narHash.sri.dropFirst(7).dropLast()) }

    /// `body` with the unused low bits of its last character set (a sha256 digest leaves two).
    static func settingUnusedBits(_ body: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let last = alphabet.firstIndex(of: body.last!)!
        return body.dropLast() + String(alphabet[last | 3])
    }

    /// NarHash forms nix 2.8 accepts that Nix itself never writes (found in other projects' test
    /// vectors; Tvix accepts them too).
    static let oddButAccepted: [(String, String)] = [
        ("SRI without padding", "sha256-" + sriBody),
        ("SRI with unused bits set", "sha256-" + settingUnusedBits(sriBody) + "="),
        ("SRI without padding, unused bits set", "sha256-" + settingUnusedBits(sriBody)),
        ("base64 with unused bits set", "sha256:" + settingUnusedBits(sriBody) + "="),
    ]

    @Test("odd NarHash forms nix 2.8 accepts parse to the same hash", arguments: oddButAccepted)
    func acceptsOddHashes(name: String, value: String) throws {
        let info = try NarInfo(parsing: Self.withNarHash(value))
        #expect(info.narHash == (try NarInfo(parsing: Self.text)).narHash, "\(name)")
        #expect(info.text == Self.text, "\(name): printed as Nix prints it")
    }

    static let malformed: [(String, String, String)] = [
        ("SRI too short", withNarHash("sha256-" + sriBody.dropLast()), "line 6: invalid NarHash"),
        ("SRI too long", withNarHash("sha256-" + sriBody + "AA"), "line 6: invalid NarHash"),
        ("SRI with a foreign character", withNarHash("sha256-" + sriBody + "!"), "line 6: invalid NarHash"),
        ("base64 without padding", withNarHash("sha256:" + sriBody), "line 6: invalid NarHash"),
        (
            "no StorePath",
            "URL: x\nNarHash: sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j\nNarSize: 8\n", "no StorePath"
        ),
        (
            "no URL",
            "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\nNarHash: sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j\nNarSize: 8\n",
            "no URL"
        ),
        (
            "no NarHash", "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\nURL: x\nNarSize: 8\n",
            "no NarHash"
        ),
        (
            "NarSize 0",
            "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\nURL: x\nNarHash: sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j\nNarSize: 0\n",
            "line 4: invalid NarSize"
        ),
        (
            "bad hash",
            "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\nURL: x\nNarHash: sha256:zzzz\nNarSize: 8\n",
            "line 3: invalid NarHash"
        ),
        (
            "bad path",
            "StorePath: /nix/store/bad\nURL: x\nNarHash: sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j\nNarSize: 8\n",
            "line 1: invalid StorePath"
        ),
        (
            "bad reference",
            "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\nURL: x\nNarHash: sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j\nNarSize: 8\nReferences: not-a-path\n",
            "line 5: invalid References"
        ),
        ("junk line", "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\njunk\n", "line 2: not 'Key: value'"),
        (
            "no final newline", "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep",
            "does not end with a newline"
        ),
        (
            "duplicate key",
            "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\nStorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\n",
            "line 2: StorePath given twice"
        ),
        (
            "bad CA",
            "StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep\nURL: x\nNarHash: sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j\nNarSize: 8\nCA: nope\n",
            "line 5: invalid CA"
        ),
    ]

    @Test("malformed narinfo files get a clear error naming the line", arguments: malformed)
    func rejectsMalformed(name: String, text: String, expected: String) {
        let error = #expect(throws: NarInfoError.self, "\(name)") { try NarInfo(parsing: text) }
        #expect(error?.description.contains(expected) == true, "\(name): \(error?.description ?? "none")")
    }

    @Test(
        "malformed keys are refused",
        arguments: ["nocolon", ":AAAA", "k:!!!!", "k:" + Base64.encode([UInt8](repeating: 1, count: 31))])
    func badKeys(text: String) {
        #expect(throws: SigningKeyError.self) { try SigningPublicKey(parsing: text) }
        #expect(throws: SigningKeyError.self) { try SigningSecretKey(parsing: text) }
    }

    @Test("a secret key whose halves disagree is refused")
    func inconsistentSecret() throws {
        let good = try #require(Base64.decode(Self.secret.dropFirst("test-cache-1:".count)))
        let bad = Array(good[..<32]) + [UInt8](repeating: 0, count: 32)
        #expect(throws: SigningKeyError.inconsistent) { try SigningSecretKey(parsing: "k:" + Base64.encode(bad)) }
    }
}
