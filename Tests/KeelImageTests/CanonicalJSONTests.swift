import KeelImage
import KeelTesting
import Testing

@Suite("Canonical JSON", .timeLimit(.minutes(5)), .ownThreads)
struct CanonicalJSONTests {
    @Test("keys sorted by UTF-8 bytes, no whitespace, integers and literals")
    func layout() {
        let value: CanonicalJSON = .object([
            "b": .array([.integer(-3), .bool(true), .bool(false), .null, .integer(Int64.min)]),
            "a": .object([:]),
            "é": .string(""),
            "Z": .array([]),
            "aa": .integer(Int64.max),
        ])
        let expected = #"{"Z":[],"a":{},"aa":9223372036854775807,"b":[-3,true,false,null,-9223372036854775808],"é":""}"#
        #expect(value.bytes == Array(expected.utf8))
    }

    @Test("escapes exactly as Python's json.dumps with ensure_ascii=False")
    func escaping() {
        let value: CanonicalJSON = .string("\"\\/\n\r\t\u{08}\u{0C}\u{00}\u{1F}\u{7F}é\u{2028}😀")
        let expected = "\"\\\"\\\\/\\n\\r\\t\\b\\f\\u0000\\u001f\u{7F}é\u{2028}😀\""
        #expect(value.bytes == Array(expected.utf8))
    }

    @Test("random nested values render as python3's json.dumps(sort_keys=True, separators=(',',':'))")
    func matchesPython() async throws {
        let seed = testSeed()
        var generator = SeededGenerator(seed: seed)
        let values = (0..<300).map { _ in Self.randomValue(depth: 0, using: &generator) }
        let input =
            values.map { value -> String in
                var tokens: [String] = []
                Self.encodeForOracle(value, into: &tokens)
                return tokens.joined(separator: " ")
            }.joined(separator: "\n") + "\n"
        let result = try await Blocking.run {
            try ProcessRunner.run("python3", ["-c", Self.oracle], input: Array(input.utf8))
        }
        #expect(result.status == 0, "python3 failed: \(result.errorOutput)")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == values.count, "seed \(seed)")
        for (value, line) in zip(values, lines) {
            let ours = value.bytes
            let theirs = Self.hexDecode(line)
            #expect(ours == theirs, "seed \(seed): ours \(String(decoding: ours, as: UTF8.self))")
        }
    }

    /// Reads one value per line in the token form of `encodeForOracle` and prints the hex of its
    /// canonical dump.
    static let oracle = """
        import json, sys
        def parse(tokens, i):
            t = tokens[i]
            k, rest = t[0], t[1:]
            if k == "s": return bytes.fromhex(rest).decode("utf-8"), i + 1
            if k == "i": return int(rest), i + 1
            if k == "t": return True, i + 1
            if k == "f": return False, i + 1
            if k == "n": return None, i + 1
            if k == "a":
                out = []
                i += 1
                for _ in range(int(rest)):
                    v, i = parse(tokens, i)
                    out.append(v)
                return out, i
            if k == "o":
                out = {}
                i += 1
                for _ in range(int(rest)):
                    key, i = parse(tokens, i)
                    v, i = parse(tokens, i)
                    out[key] = v
                return out, i
            raise ValueError(t)
        for line in sys.stdin.read().split("\\n")[:-1]:
            value, _ = parse(line.split(" "), 0)
            dumped = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            print(dumped.hex())
        """

    static func encodeForOracle(_ value: CanonicalJSON, into tokens: inout [String]) {
        switch value {
        case .string(let text): tokens.append("s" + hexEncode(Array(text.utf8)))
        case .integer(let number): tokens.append("i\(number)")
        case .bool(let flag): tokens.append(flag ? "t" : "f")
        case .null: tokens.append("n")
        case .array(let elements):
            tokens.append("a\(elements.count)")
            for element in elements { encodeForOracle(element, into: &tokens) }
        case .object(let members):
            tokens.append("o\(members.count)")
            for (key, member) in members {
                tokens.append("s" + hexEncode(Array(key.utf8)))
                encodeForOracle(member, into: &tokens)
            }
        }
    }

    static let trickyScalars: [Unicode.Scalar] =
        Array("aZ09 \"\\/:,{}[]-_.".unicodeScalars) + (0x00...0x1F).compactMap(Unicode.Scalar.init)
        + ["\u{7F}", "\u{80}", "é", "\u{0301}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFF}", "中", "😀", "\u{10FFFF}"]

    static func randomString(using generator: inout SeededGenerator) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            text.append(trickyScalars.randomElement(using: &generator)!)
        }
        return String(text)
    }

    static func randomValue(depth: Int, using generator: inout SeededGenerator) -> CanonicalJSON {
        let kind = Int.random(in: 0..<(depth >= 4 ? 5 : 7), using: &generator)
        switch kind {
        case 0: return .string(randomString(using: &generator))
        case 1:
            let choices: [Int64] = [0, -1, 1, Int64.max, Int64.min, Int64.random(in: .min ... .max, using: &generator)]
            return .integer(choices.randomElement(using: &generator)!)
        case 2: return .bool(Bool.random(using: &generator))
        case 3: return .null
        case 4: return .string(randomString(using: &generator))
        case 5:
            return .array(
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    randomValue(depth: depth + 1, using: &generator)
                })
        default:
            var members: [String: CanonicalJSON] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }

    static func hexEncode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    static func hexDecode(_ text: Substring) -> [UInt8] {
        var output: [UInt8] = []
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            output.append(UInt8(String([high, low]), radix: 16) ?? 0)
        }
        return output
    }
}
