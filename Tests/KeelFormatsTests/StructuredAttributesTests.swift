import Foundation
import KeelFormats
import KeelTesting
import Testing

@Suite("Structured attributes, their JSON and output placeholders", .ownThreads)
struct StructuredAttributesTests {
    /// `__json` as nix 2.8's evaluator wrote it for an expression with every kind of value (from
    /// `nix-instantiate`), with the store paths shortened.
    static let json = #"""
        {"_under":"kept","big":1099511627776,"builder":"/bin/sh","dependency":"/s/h52i-dep","empty":[],"flag":true,"fraction":1.5,"huge":1e+20,"list":[1,"two",[3]],"name":"structured","negative":-7,"nested":{"a":{"b":1}},"not-a-shell-name":"skipped","nothing":null,"number":42,"off":false,"outputs":["out","dev"],"set":{"a":1,"b":"it's"},"simple":[1,"two",true,null],"small":0.0001,"system":"x86_64-linux","text":"quote\" back\\ newline\n tab\t é 日本 $dollar","whole":2}
        """#

    /// What nix-build 2.8 wrote to `.attrs.sh` for it.
    static let shell = """
        declare _under='kept'
        declare big=0
        declare builder='/bin/sh'
        declare dependency='/s/h52i-dep'
        declare -a empty=()
        declare flag=1
        declare huge=-2147483648
        declare name='structured'
        declare negative=-7
        declare nothing=''
        declare number=42
        declare off=
        declare -A outputs=(['dev']='/s/pfib-structured-dev' ['out']='/s/7zhf-structured' )
        declare -A set=(['a']=1 ['b']='it'\\''s' )
        declare -a simple=(1 'two' 1 '' )
        declare system='x86_64-linux'
        declare text='quote" back\\ newline
         tab\t é 日本 $dollar'
        declare whole=2

        """

    func attributes() throws -> StructuredAttributes {
        let derivation = Derivation(
            outputs: ["out": .init(path: "/s/7zhf-structured"), "dev": .init(path: "/s/pfib-structured-dev")],
            inputDerivations: [:], inputSources: [], platform: "x86_64-linux", builder: "/bin/sh", arguments: [],
            environment: ["__json": ByteString(Self.json)])
        return try #require(try StructuredAttributes.of(derivation))
    }

    @Test("the builder's .attrs.json and .attrs.sh are what nix-build 2.8 writes")
    func files() throws {
        let attributes = try attributes()
        let object = attributes.builderAttributes(
            outputs: ["out": "/s/7zhf-structured", "dev": "/s/pfib-structured-dev"], referencesGraphs: [:])
        #expect(String(decoding: StructuredAttributes.shellFile(object), as: UTF8.self) == Self.shell)
        let expected = Self.json.replacingOccurrences(
            of: #""outputs":["out","dev"]"#,
            with: #""outputs":{"dev":"/s/pfib-structured-dev","out":"/s/7zhf-structured"}"#)
        #expect(String(decoding: StructuredAttributes.jsonFile(object), as: UTF8.self) == expected)
    }

    @Test("impureEnvVars must be a list of strings; exportReferencesGraph entries are paths or lists of them")
    func typedAttributes() throws {
        func attributes(_ json: String) throws -> StructuredAttributes {
            try StructuredAttributes(
                Derivation(
                    outputs: ["out": .init(path: "/s/x")], inputDerivations: [:], inputSources: [], platform: "x",
                    builder: "b", arguments: [], environment: ["__json": ByteString(json)]))
        }
        #expect(try attributes(#"{"impureEnvVars":["a","b"]}"#).strings("impureEnvVars") == ["a", "b"])
        #expect(try attributes("{}").strings("impureEnvVars") == nil)
        #expect(throws: DerivationError.self) { try attributes(#"{"impureEnvVars":"a b"}"#).strings("impureEnvVars") }
        #expect(throws: DerivationError.self) { try attributes(#"{"impureEnvVars":[1]}"#).strings("impureEnvVars") }
        let graphs = try attributes(#"{"exportReferencesGraph":{"b":["/s/1","/s/2"],"a":"/s/3"}}"#).referencesGraphs()
        #expect(graphs.map(\.attribute) == ["a", "b"])
        #expect(graphs.map(\.paths) == [["/s/3"], ["/s/1", "/s/2"]])
        #expect(throws: DerivationError.self) {
            try attributes(#"{"exportReferencesGraph":{"a":[1]}}"#).referencesGraphs()
        }
        #expect(try attributes(#"{"exportReferencesGraph":["/s/3"]}"#).referencesGraphs().isEmpty, "not an object")
    }

    @Test(
        "doubles are written as nlohmann::json writes them (the first ten as nix-build 2.8 wrote them)",
        arguments: [
            (1.5, "1.5"), (1e20, "1e+20"), (0.0001, "0.0001"), (0.00001, "1e-05"), (0.1, "0.1"), (9e15, "9e+15"),
            (1e300, "1e+300"), (-2.5e-7, "-2.5e-07"), (1.23457e14, "123457000000000.0"), (1.5e16, "1.5e+16"),
            (100.0, "100.0"), (123_456_789_012_345.0, "123456789012345.0"),
            (1_234_567_890_123_456.0, "1.234567890123456e+15"), (-0.0, "-0.0"), (0.0, "0.0"),
            (Double.infinity, "null"),
        ])
    func doubles(value: Double, text: String) {
        #expect(String(decoding: NixJSON.double(value).serialized, as: UTF8.self) == text)
    }

    @Test("JSON parses with nlohmann's number kinds and writes back compactly, keys in byte order")
    func roundTrip() throws {
        let parsed = try NixJSONParser.parse(
            Array(
                #" { "b" : [ -1 , 18446744073709551615, 18446744073709551616, 2.50, 1E2 ], "a":"\u00e9\ud83d\ude00\/\u0001", "a":true } "#
                    .utf8))
        #expect(
            String(decoding: parsed.serialized, as: UTF8.self)
                == #"{"a":true,"b":[-1,18446744073709551615,1.8446744073709552e+19,2.5,100.0]}"#)
        #expect(try NixJSONParser.parse(Array("-0".utf8)).serialized == Array("0".utf8), "as nix-build wrote it")
        let text = try NixJSONParser.parse(Array(#""\u00e9\ud83d\ude00\/\u0001\b\f""#.utf8))
        #expect(String(decoding: text.serialized, as: UTF8.self) == "\"é😀/\\u0001\\b\\f\"")
    }

    static let malformedJSON: [(String, String)] = [
        ("", "unexpected end of input"), ("{", "expected a string key"), ("[1,]", "unexpected character ']'"),
        ("01", "unexpected text after the value"), ("1.", "invalid number"), ("-", "invalid number"),
        ("1e400", "number out of range"), (#""\q""#, "invalid escape"), ("\"a\nb\"", "control character"),
        (#""\ud800""#, "unpaired surrogate"), (#""\udc00""#, "unpaired surrogate"), ("tru", "invalid literal"),
        ("[1] 2", "unexpected text after the value"), (#"{"a" 1}"#, "expected ':'"),
        (String(repeating: "[", count: 600), "nested deeper than 512 levels"),
    ]

    @Test("malformed JSON is refused with the offset", arguments: malformedJSON)
    func malformed(text: String, expected: String) {
        let error = #expect(throws: NixJSONError.self) { try NixJSONParser.parse(Array(text.utf8)) }
        #expect(error?.description.contains(expected) == true, "\(text): \(error?.description ?? "none")")
    }

    @Test("invalid UTF-8 in a JSON string is refused")
    func invalidUTF8() {
        #expect(throws: NixJSONError.self) { try NixJSONParser.parse([0x22, 0xff, 0x22]) }
    }

    @Test("output placeholders are nix's and are replaced everywhere")
    func placeholders() {
        #expect(
            OutputPlaceholders.placeholder(forOutput: "out") == "/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9")
        #expect(
            OutputPlaceholders.placeholder(forOutput: "dev") == "/02qcpld1y6xhs5gz9bchpxaw0xdhmsp5dv88lh25r2ss44kh8dxz")
        let rewriter = OutputPlaceholders(outputs: ["out": "/s/aaaa-x", "dev": "/s/bbbb-x-dev"])
        let out = OutputPlaceholders.placeholder(forOutput: "out")
        let lib = OutputPlaceholders.placeholder(forOutput: "lib")
        #expect(
            rewriter.rewrite("a=\(out)/bin \(out)\(OutputPlaceholders.placeholder(forOutput: "dev")) \(lib)")
                == "a=/s/aaaa-x/bin /s/aaaa-x/s/bbbb-x-dev \(lib)")
        #expect(rewriter.rewrite([0xff, 0x2f]) == [0xff, 0x2f])
    }
}
