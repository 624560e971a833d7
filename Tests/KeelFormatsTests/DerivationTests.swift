import KeelFormats
import Testing

@Suite("Derivations")
struct DerivationTests {
    static let fixedText =
        #"Derive([("out","/nix/store/ilghkg8sqnh9275b62zcvsq9kpkym8yl-fixed","sha256","5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")],[],[],"x86_64-linux","/bin/sh",["-c","echo hello > $out"],[("builder","/bin/sh"),("name","fixed"),("out","/nix/store/ilghkg8sqnh9275b62zcvsq9kpkym8yl-fixed"),("outputHash","5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"),("outputHashAlgo","sha256"),("outputHashMode","flat"),("system","x86_64-linux")])"#
    static let userText =
        #"Derive([("out","/nix/store/lgp48acznkzy3ki26plfcyfix5myfgl0-user","","")],[("/nix/store/hg5s3rbl0hcd8bi71yzfyqnabaw36yfg-fixed.drv",["out"])],[],"x86_64-linux","/bin/sh",["-c","read x < /nix/store/ilghkg8sqnh9275b62zcvsq9kpkym8yl-fixed; echo \"$x\" > $out"],[("builder","/bin/sh"),("name","user"),("out","/nix/store/lgp48acznkzy3ki26plfcyfix5myfgl0-user"),("system","x86_64-linux")])"#

    func hasher() -> DerivationHasher {
        DerivationHasher(storeDirectory: .nix) { path in
            guard path == "/nix/store/hg5s3rbl0hcd8bi71yzfyqnabaw36yfg-fixed.drv" else {
                throw DerivationError.inputUnavailable(path, reason: "not in this test")
            }
            return try ATermParser.parse(Array(Self.fixedText.utf8))
        }
    }

    @Test("the spec's worked example: an FOD and a derivation using it")
    func workedExample() throws {
        let fixed = try ATermParser.parse(Array(Self.fixedText.utf8))
        #expect(ATermPrinter.print(fixed) == Array(Self.fixedText.utf8))
        var hasher = hasher()
        #expect(try hasher.derivationPath(fixed).baseName == "hg5s3rbl0hcd8bi71yzfyqnabaw36yfg-fixed.drv")
        #expect(try hasher.outputPaths(fixed)["out"]?.baseName == "ilghkg8sqnh9275b62zcvsq9kpkym8yl-fixed")
        #expect(
            try hasher.hashModulo(fixed, maskOutputs: false)["out"]?.base16
                == "c3b6d1eebd533918f719647ec106431221274c38fe835ea9cf516b1b1f3aa07f")

        let user = try ATermParser.parse(Array(Self.userText.utf8))
        #expect(ATermPrinter.print(user) == Array(Self.userText.utf8))
        #expect(
            try hasher.hashModulo(user, maskOutputs: true)["out"]?.base16
                == "3ca225491bf3697ecc0fd927da447004714dad02ead5c6518db004b796499802")
        #expect(try hasher.outputPaths(user)["out"]?.baseName == "lgp48acznkzy3ki26plfcyfix5myfgl0-user")
        #expect(try hasher.derivationPath(user).baseName == "g85vhhyilr0h5nfiqsnah36s7x6pqs1d-user.drv")
        try hasher.verifyOutputPaths(user)
    }

    @Test("every special byte in env values round-trips")
    func escapes() throws {
        var derivation = try ATermParser.parse(Array(Self.fixedText.utf8))
        derivation.environment["odd"] = ByteString([0x22, 0x5c, 0x0a, 0x0d, 0x09, 0x01, 0x7f, 0xc3, 0xa9, 0xff, 0x00])
        let printed = ATermPrinter.print(derivation)
        #expect(String(decoding: printed, as: UTF8.self).contains(#"("odd","\"\\\n\r\t"#))
        #expect(try ATermParser.parse(printed) == derivation)
        #expect(ATermPrinter.print(try ATermParser.parse(printed)) == printed)
    }

    @Test("a path written wrongly is caught")
    func wrongOutputPath() throws {
        let text = Self.userText.replacingOccurrences(of: "lgp48acz", with: "lgp48acb")
        var hasher = hasher()
        #expect(throws: DerivationError.self) { try hasher.verifyOutputPaths(try ATermParser.parse(Array(text.utf8))) }
    }

    static let malformed: [(String, String, String)] = [
        ("empty", "", "unexpected end, expected 'Derive('"),
        ("wrong header", "DeriveX([", "expected 'Derive('"),
        ("truncated", String(fixedText.prefix(100)), "byte 100"),
        ("trailing bytes", fixedText + "\n", "trailing bytes"),
        ("bad escape", fixedText.replacingOccurrences(of: "echo hello", with: #"echo \q"#), "invalid escape '\\q'"),
        ("raw newline", fixedText.replacingOccurrences(of: "echo hello", with: "echo\nhello"), "unescaped control"),
        (
            "unsorted env",
            fixedText.replacingOccurrences(
                of: #"("builder","/bin/sh"),("name","fixed")"#, with: #"("name","fixed"),("builder","/bin/sh")"#),
            "unsorted environment variable 'builder'"
        ),
        (
            "duplicate env",
            fixedText.replacingOccurrences(of: #"("name","fixed")"#, with: #"("name","fixed"),("name","fixed")"#),
            "duplicate environment variable 'name'"
        ),
        ("escape in a path", fixedText.replacingOccurrences(of: "ilghkg8s", with: #"ilghkg\"s"#), "never escaped"),
        ("no outputs", #"Derive([],[],[],"x","b",[],[])"#, "at least one output"),
        ("unterminated string", #"Derive([("out"#, "unterminated string"),
        (
            "unsorted inputs",
            #"Derive([("out","","","")],[("/nix/store/b.drv",["out"]),("/nix/store/a.drv",["out"])],[],"x","b",[],[])"#,
            "unsorted input derivation"
        ),
        (
            "unsorted output names",
            #"Derive([("out","","","")],[("/nix/store/a.drv",["out","dev"])],[],"x","b",[],[])"#, "unsorted output name"
        ),
        (
            "unsorted sources", #"Derive([("out","","","")],[],["/nix/store/b","/nix/store/a"],"x","b",[],[])"#,
            "unsorted input source"
        ),
        ("missing comma", #"Derive([("out","","","")][],[],"x","b",[],[])"#, "expected ','"),
    ]

    @Test("malformed derivations get a clear error with the offset", arguments: malformed)
    func rejectsMalformed(name: String, text: String, expected: String) {
        let error = #expect(throws: DerivationError.self, "\(name)") { try ATermParser.parse(Array(text.utf8)) }
        #expect(error?.description.contains(expected) == true, "\(name): \(error?.description ?? "none")")
        #expect(error?.description.hasPrefix("invalid derivation at byte ") == true)
    }

    @Test("every truncation of a derivation is rejected, never a crash")
    func everyTruncation() {
        let bytes = Array(Self.userText.utf8)
        for length in 0..<bytes.count {
            #expect(throws: DerivationError.self) { try ATermParser.parse(Array(bytes[..<length])) }
        }
    }
}
