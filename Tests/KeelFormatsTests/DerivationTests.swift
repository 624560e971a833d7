import KeelFormats
import KeelTesting
import Testing

@Suite("Derivations", .ownThreads)
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
        #expect(
            try hasher.derivationPath(fixed, name: "fixed").baseName == "hg5s3rbl0hcd8bi71yzfyqnabaw36yfg-fixed.drv")
        #expect(
            try hasher.outputPaths(fixed, name: "fixed")["out"]?.baseName == "ilghkg8sqnh9275b62zcvsq9kpkym8yl-fixed")
        #expect(
            try hasher.hashModulo(fixed, maskOutputs: false)["out"]?.base16
                == "c3b6d1eebd533918f719647ec106431221274c38fe835ea9cf516b1b1f3aa07f")

        let user = try ATermParser.parse(Array(Self.userText.utf8))
        #expect(ATermPrinter.print(user) == Array(Self.userText.utf8))
        #expect(
            try hasher.hashModulo(user, maskOutputs: true)["out"]?.base16
                == "3ca225491bf3697ecc0fd927da447004714dad02ead5c6518db004b796499802")
        #expect(try hasher.outputPaths(user, name: "user")["out"]?.baseName == "lgp48acznkzy3ki26plfcyfix5myfgl0-user")
        #expect(try hasher.derivationPath(user, name: "user").baseName == "g85vhhyilr0h5nfiqsnah36s7x6pqs1d-user.drv")
        try hasher.verifyOutputPaths(user, name: "user")
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
        #expect(throws: DerivationError.self) {
            try hasher.verifyOutputPaths(try ATermParser.parse(Array(text.utf8)), name: "user")
        }
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
        ("unterminated string", #"Derive([("out"#, "unterminated string"),
        (
            "duplicate inputs",
            #"Derive([("out","","","")],[("/nix/store/a.drv",["out"]),("/nix/store/a.drv",["out"])],[],"x","b",[],[])"#,
            "duplicate input derivation '/nix/store/a.drv'"
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

    @Test("input derivations in any order parse as nix 2.8 parses them; the printer sorts them")
    func unsortedInputs() throws {
        let a = "/nix/store/j5lkzjvfzs2p8v7l746rb542xam6dbhl-a.drv"
        let b = "/nix/store/dl2m94i3l1mcrgflbd34prrh0wn080mr-b.drv"
        let text = #"Derive([("out","","","")],[("\#(a)",["dev","out"]),("\#(b)",["out"])],[],"x","b",[],[])"#
        let derivation = try Derivation(parsing: Array(text.utf8))
        #expect(derivation.inputDerivations == [a: ["dev", "out"], b: ["out"]])
        #expect(
            String(decoding: ATermPrinter.print(derivation), as: UTF8.self)
                == #"Derive([("out","","","")],[("\#(b)",["out"]),("\#(a)",["dev","out"])],[],"x","b",[],[])"#,
            "b's hash part sorts first")
        // The .drv's own path is over the bytes as stored, so it differs from the sorted form's.
        let hasher = hasher()
        #expect(
            try hasher.derivationPath(derivation, name: "x", contents: Array(text.utf8))
                != (try hasher.derivationPath(derivation, name: "x")))
    }

    /// A derivation with the given outputs (name, path, algorithm, hash), builder and environment.
    static func aterm(
        _ outputs: [(String, String, String, String)], builder: String = "/bin/sh", environment: [(String, String)] = []
    ) -> String {
        let outputList = outputs.map { #"("\#($0.0)","\#($0.1)","\#($0.2)","\#($0.3)")"# }.joined(separator: ",")
        let environmentList = environment.map { #"("\#($0.0)","\#($0.1)")"# }.joined(separator: ",")
        return #"Derive([\#(outputList)],[],[],"x86_64-linux","\#(builder)",[],[\#(environmentList)])"#
    }

    static let path = "/nix/store/ilghkg8sqnh9275b62zcvsq9kpkym8yl-fixed"
    static let hex = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

    /// Derivations that parse but mean nothing buildable, and what `validate()` says: Nix 2.8's
    /// words where Nix refuses the same derivation.
    static let invalid: [(String, String, String)] = [
        ("no outputs", aterm([]), "must have at least one output"),
        ("empty output name", aterm([("", path, "", "")]), "invalid derivation output name ''"),
        ("output name with a space", aterm([("a b", path, "", "")]), "invalid derivation output name 'a b'"),
        ("output name with a slash", aterm([("a/b", path, "", "")]), "invalid derivation output name 'a/b'"),
        ("output named drv", aterm([("drv", path, "", "")]), "invalid derivation output name 'drv'"),
        (
            "two fixed outputs", aterm([("dev", path, "sha256", hex), ("out", path, "sha256", hex)]),
            "only one fixed output is allowed for now"
        ),
        (
            "fixed output not named out", aterm([("bin", path, "sha256", hex)]),
            #"single fixed output must be named "out""#
        ),
        (
            "fixed and input-addressed", aterm([("dev", path, "", ""), ("out", path, "sha256", hex)]),
            "can't mix derivation output types"
        ),
        ("unknown algorithm", aterm([("out", path, "sha3", hex)]), "unknown hash algorithm 'sha3'"),
        ("text method", aterm([("out", path, "text:sha256", hex)]), "unknown hash algorithm 'text:sha256'"),
        ("r: twice", aterm([("out", path, "r:r:sha256", hex)]), "unknown hash algorithm 'r:sha256'"),
        (
            "short digest", aterm([("out", path, "sha256", "abcd")]),
            "hash 'abcd' has wrong length for hash type 'sha256'"
        ),
        (
            "bad hex digest", aterm([("out", path, "sha256", String(hex.dropLast()) + "z")]),
            "invalid base-16 hash '\(hex.dropLast())z'"
        ),
        (
            "floating content address", aterm([("out", "", "sha256", "")]),
            "experimental Nix feature 'ca-derivations' is disabled"
        ),
        (
            "impure output", aterm([("out", "", "sha256", "impure")]),
            "experimental Nix feature 'impure-derivations' is disabled"
        ),
        ("hash without algorithm", aterm([("out", path, "", hex)]), "output 'out' has a hash but no hash algorithm"),
        (
            "fetchurl without out",
            aterm([("bin", path, "", "")], builder: "builtin:fetchurl", environment: [("url", "x")]),
            "builtin:fetchurl: attribute 'out' missing"
        ),
        (
            "fetchurl not fixed",
            aterm([("out", path, "", "")], builder: "builtin:fetchurl", environment: [("url", "x")]),
            "builtin:fetchurl only makes fixed outputs"
        ),
        (
            "fetchurl without url", aterm([("out", path, "sha256", hex)], builder: "builtin:fetchurl"),
            "builtin:fetchurl: attribute 'url' missing"
        ),
        (
            "unknown builtin", aterm([("out", path, "", "")], builder: "builtin:foo"),
            "unsupported builtin builder 'foo'"
        ),
        (
            "builtin:buildenv", aterm([("out", path, "", "")], builder: "builtin:buildenv"),
            "unsupported builtin builder 'buildenv'"
        ),
        (
            "__json not JSON", aterm([("out", path, "", "")], environment: [("__json", "{")]),
            "cannot process __json attribute: invalid JSON at byte 1"
        ),
        (
            "__json not an object", aterm([("out", path, "", "")], environment: [("__json", "[]")]),
            "cannot process __json attribute: it is not a JSON object"
        ),
    ]

    @Test("derivations that mean nothing buildable are refused with Nix's words", arguments: invalid)
    func refusesInvalid(name: String, text: String, expected: String) throws {
        let parsed = try ATermParser.parse(Array(text.utf8))
        let error = #expect(throws: DerivationError.self, "\(name)") { try Derivation(parsing: Array(text.utf8)) }
        #expect(error?.description.hasPrefix(expected) == true, "\(name): \(error?.description ?? "none")")
        #expect(error?.description.contains("\n") == false)
        #expect(throws: DerivationError.self, "\(name)") { try parsed.validate() }
    }

    @Test("what validation lets through: input-addressed, fixed with any digest encoding, fetchurl, structured")
    func acceptsValid() throws {
        let hash = try NixHash(parsing: "sha256:" + Self.hex)
        for digest in [Self.hex, Self.hex.uppercased(), hash.nixBase32, hash.base64] {
            let derivation = try Derivation(parsing: Array(Self.aterm([("out", Self.path, "r:sha256", digest)]).utf8))
            #expect(
                try derivation.outputs["out"]?.fixedContentAddress() == ContentAddress(method: .recursive, hash: hash))
        }
        let valid = [
            Self.aterm([("dev", Self.path, "", ""), ("out", Self.path, "", "")]),
            Self.aterm([("a.b?c=d+e_f-1", Self.path, "", "")]),
            Self.aterm([("out", "", "", "")]),
            Self.aterm(
                [("out", Self.path, "sha256", Self.hex)], builder: "builtin:fetchurl", environment: [("url", "x")]),
            Self.aterm([("out", Self.path, "", "")], environment: [("__json", #"{\"a\":[1,{\"b\":null}]}"#)]),
        ]
        for text in valid { #expect(throws: Never.self, "\(text)") { try Derivation(parsing: Array(text.utf8)) } }
    }

    @Test("a derivation's name comes from its file or store path name, never its environment")
    func names() throws {
        #expect(try Derivation.name(fromFileName: "hg5s3rbl0hcd8bi71yzfyqnabaw36yfg-fixed.drv") == "fixed")
        #expect(try Derivation.name(fromFileName: "leaf.drv") == "leaf")
        #expect(try Derivation.name(fromFileName: "not-a-hash-leaf.drv") == "not-a-hash-leaf")
        #expect(try Derivation.name(of: StorePath(baseName: "g85vhhyilr0h5nfiqsnah36s7x6pqs1d-user.drv")) == "user")
        #expect(throws: DerivationError.notDerivationFileName("leaf")) { try Derivation.name(fromFileName: "leaf") }
        for bad in [".drv", "a b.drv", "..drv", "...drv"] {
            #expect(throws: DerivationError.self, "\(bad)") { try Derivation.name(fromFileName: bad) }
        }
        // The name given, not the `name` variable, names the paths.
        let user = try ATermParser.parse(Array(Self.userText.utf8))
        var hasher = hasher()
        #expect(try hasher.outputPaths(user, name: "other")["out"]?.name == "other")
        #expect(try hasher.derivationPath(user, name: "other").name == "other.drv")
    }

    @Test("an output variable that is missing or wrong is caught, as nix 2.8 catches it")
    func wrongOutputVariable() throws {
        // The variable is blanked for hashing, so only the variable check can catch this.
        var user = try ATermParser.parse(Array(Self.userText.utf8))
        user.environment["out"] = "/nix/store/lgp48acznkzy3ki26plfcyfix5myfgl0-other"
        var hasher = hasher()
        let error = #expect(throws: DerivationError.self) { try hasher.verifyOutputPaths(user, name: "user") }
        #expect(
            error?.description
                == "has incorrect environment variable 'out', should be '/nix/store/lgp48acznkzy3ki26plfcyfix5myfgl0-user'"
        )
        user.environment["out"] = nil
        #expect(throws: DerivationError.self) { try hasher.verifyOutputPaths(user, name: "user") }
    }

    @Test("every truncation of a derivation is rejected, never a crash")
    func everyTruncation() {
        let bytes = Array(Self.userText.utf8)
        for length in 0..<bytes.count {
            #expect(throws: DerivationError.self) { try ATermParser.parse(Array(bytes[..<length])) }
        }
    }
}
