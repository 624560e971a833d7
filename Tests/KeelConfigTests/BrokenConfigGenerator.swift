import KeelTesting

/// Breaks a valid keel.toml in one of many ways (byte flips, truncations, deleted and duplicated
/// lines, values of another type, huge numbers and strings, deep nesting, NUL bytes, invalid
/// UTF-8, odd Unicode keys, CRLF, dependency cycles...), each case drawn from its own seed so one
/// case can be made again alone.
struct BrokenConfigGenerator {
    /// One way of breaking a document.
    enum Mutation: String, CaseIterable {
        case flipByte, flipBytes, truncate, deleteLine, duplicateLine, moveLine, swapType, hugeInteger, hugeString
        case deepArray, deepInlineTable, deepDottedKey, deepHeader, nulByte, invalidUTF8, oddUnicodeKey
        case oddUnicodeTable, crlf, loneCarriageReturn, inputsCycle, dependsOnCycle, longChain, spliceText
        case syntaxFragment, manyProblems
    }

    /// A broken document and how it was made.
    struct Case {
        /// The mutation applied.
        let mutation: Mutation
        /// The document's bytes.
        let bytes: [UInt8]
    }

    /// The valid document every case starts from.
    let base: String

    /// Case number `number` of the run seeded with `seed`: the mutations take turns, so every one is
    /// used, and the details come from `seed` and `number`.
    func make(_ number: Int, seed: UInt64) -> Case {
        var random = SeededGenerator(seed: seed &+ UInt64(number) &* 0x9E37_79B9)
        let mutation = Mutation.allCases[number % Mutation.allCases.count]
        var maker = CaseMaker(lines: base.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        return Case(mutation: mutation, bytes: maker.apply(mutation, using: &random))
    }
}

/// Applies one mutation to a document's lines.
private struct CaseMaker {
    var lines: [String]

    /// The text at the base of every mutation.
    var text: String { lines.joined(separator: "\n") }

    mutating func apply(_ mutation: BrokenConfigGenerator.Mutation, using random: inout SeededGenerator) -> [UInt8] {
        switch mutation {
        case .flipByte:
            var bytes = Array(text.utf8)
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            return bytes
        case .flipBytes:
            var bytes = Array(text.utf8)
            for _ in 0..<Int.random(in: 2...20, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
            return bytes
        case .truncate:
            let bytes = Array(text.utf8)
            return Array(bytes[..<Int.random(in: 0..<bytes.count, using: &random)])
        case .deleteLine:
            for _ in 0..<Int.random(in: 1...3, using: &random) { lines.remove(at: lineIndex(&random)) }
        case .duplicateLine:
            let line = lines[lineIndex(&random)]
            lines.insert(line, at: lineIndex(&random))
        case .moveLine:
            let line = lines.remove(at: lineIndex(&random))
            lines.insert(line, at: lineIndex(&random))
        case .swapType:
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                replaceValue(with: Self.otherValues.randomElement(using: &random) ?? "1", using: &random)
            }
        case .hugeInteger:
            replaceValue(with: Self.hugeIntegers.randomElement(using: &random) ?? "1", using: &random)
        case .hugeString:
            return hugeString(using: &random)
        case .deepArray:
            let depth = Bool.random(using: &random) ? 10_000 : Int.random(in: 200...300, using: &random)
            insert(
                "command = " + String(repeating: "[", count: depth) + "\"x\"" + String(repeating: "]", count: depth),
                using: &random)
        case .deepInlineTable:
            let depth = Bool.random(using: &random) ? 10_000 : Int.random(in: 200...300, using: &random)
            insert(
                "restart = " + String(repeating: "{ a = ", count: depth) + "1" + String(repeating: " }", count: depth),
                using: &random)
        case .deepDottedKey:
            let depth = Bool.random(using: &random) ? 10_000 : Int.random(in: 200...300, using: &random)
            insert(Array(repeating: "a", count: depth).joined(separator: ".") + " = 1", using: &random)
        case .deepHeader:
            let depth = Bool.random(using: &random) ? 10_000 : Int.random(in: 200...300, using: &random)
            lines.append("[agents." + Array(repeating: "x", count: depth).joined(separator: ".") + "]")
            lines.append("command = [\"x\"]")
        case .nulByte:
            return inserting([0], using: &random)
        case .invalidUTF8:
            return inserting(Self.invalidSequences.randomElement(using: &random) ?? [0xFF], using: &random)
        case .oddUnicodeKey:
            let key = Self.oddKeys.randomElement(using: &random) ?? "é"
            let bare = Bool.random(using: &random)
            insert((bare ? key : "\"" + key + "\"") + " = \"" + key + "\"", using: &random)
        case .oddUnicodeTable:
            let key = Self.oddKeys.randomElement(using: &random) ?? "é"
            let kind = ["agents", "packages"].randomElement(using: &random) ?? "agents"
            lines.append("[\(kind).\"\(key)\"]")
            lines.append(kind == "agents" ? "command = [\"${packages.\(key)}\"]" : "src = \"./\(key)\"")
            lines.append("depends_on = [\"\(key)\"]")
        case .crlf:
            let text = self.text.replacingOccurrences(of: "\n", with: "\r\n")
            return Array(text.utf8) + (Bool.random(using: &random) ? [] : Array("[host]\r\nname = \"x\"\r\n".utf8))
        case .loneCarriageReturn:
            return inserting([0x0D], using: &random)
        case .inputsCycle:
            lines += [
                "[packages.p1]", "builder = \"/bin/sh\"", "inputs = [\"p2\"]", "[packages.p2]", "builder = \"/bin/sh\"",
                "args = [\"${packages.p3}\"]", "[packages.p3]", "builder = \"${packages.p1}\"",
            ]
            lines.shuffle(using: &random)
        case .dependsOnCycle:
            let count = Int.random(in: 1...6, using: &random)
            for index in 0..<count {
                lines += [
                    "[agents.c\(index)]", "command = [\"c\"]", "depends_on = [\"c\((index + 1) % count)\", \"web\"]",
                ]
            }
        case .longChain:
            let count = Int.random(in: 1_000...5_000, using: &random)
            for index in 0..<count {
                lines += ["[packages.n\(index)]", "builder = \"/bin/sh\"", "inputs = [\"n\((index + 1) % count)\"]"]
            }
        case .spliceText:
            let bytes = Array(text.utf8)
            let start = Int.random(in: 0..<bytes.count, using: &random)
            let end = min(bytes.count, start + Int.random(in: 1...200, using: &random))
            let at = Int.random(in: 0...bytes.count, using: &random)
            return Array(bytes[..<at]) + bytes[start..<end] + bytes[at...]
        case .syntaxFragment:
            var bytes = Array(text.utf8)
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let fragment = Self.fragments.randomElement(using: &random) ?? "["
                bytes.insert(contentsOf: Array(fragment.utf8), at: Int.random(in: 0...bytes.count, using: &random))
            }
            return bytes
        case .manyProblems:
            for _ in 0..<Int.random(in: 3...10, using: &random) {
                switch Int.random(in: 0...3, using: &random) {
                case 0: replaceValue(with: Self.otherValues.randomElement(using: &random) ?? "1", using: &random)
                case 1: insert("unknwn_key = 1", using: &random)
                case 2: replaceValue(with: "\"${packages.missing}\"", using: &random)
                default: replaceValue(with: "\"5 minutes\"", using: &random)
                }
            }
        }
        return Array(text.utf8)
    }

    /// A random line's index.
    private func lineIndex(_ random: inout SeededGenerator) -> Int {
        Int.random(in: 0..<lines.count, using: &random)
    }

    /// Inserts `line` somewhere after the first table header, so it lands in some table.
    private mutating func insert(_ line: String, using random: inout SeededGenerator) {
        lines.insert(line, at: Int.random(in: 2...lines.count, using: &random))
    }

    /// The text's bytes with `bytes` put in at a random place.
    private func inserting(_ bytes: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var text = Array(self.text.utf8)
        text.insert(contentsOf: bytes, at: Int.random(in: 0...text.count, using: &random))
        return text
    }

    /// Replaces the value of a random `key = value` line with `value`.
    private mutating func replaceValue(with value: String, using random: inout SeededGenerator) {
        let candidates = lines.indices.filter { lines[$0].contains(" = ") }
        guard let index = candidates.randomElement(using: &random), let equals = lines[index].range(of: " = ") else {
            return
        }
        lines[index] = String(lines[index][..<equals.upperBound]) + value
    }

    /// A string of about a megabyte in place of a value, a key or a reference.
    private mutating func hugeString(using random: inout SeededGenerator) -> [UInt8] {
        let filler = ["x", "é", "$", "${", "\\\\", "😀", "a\u{301}"].randomElement(using: &random) ?? "x"
        let huge = String(repeating: filler, count: (1 << 20) / filler.utf8.count)
        switch Int.random(in: 0...3, using: &random) {
        case 0: replaceValue(with: "\"" + huge + "\"", using: &random)
        case 1: insert("\"" + huge + "\" = 1", using: &random)
        case 2: replaceValue(with: "[\"${packages." + huge + "}\"]", using: &random)
        default: replaceValue(with: "'''" + huge + "'''", using: &random)
        }
        return Array(text.utf8)
    }

    static let otherValues = [
        "42", "-1", "\"text\"", "true", "[1, \"a\"]", "{ x = 1 }", "1979-05-27T07:32:00Z", "07:32:00", "3.14", "inf",
        "nan", "[]", "{}", "''", "\"\"", "[[]]", "[{ a = 1 }]", "0x1F", "1e400", "\"\\u00e9\"",
    ]

    static let hugeIntegers = [
        "99999999999999999999999", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "\"99999999999999999999999h\"", "\"99999999999999999999T\"", "1" + String(repeating: "0", count: 5000),
        "0b" + String(repeating: "1", count: 70), "1e308", "-0",
    ]

    static let invalidSequences: [[UInt8]] = [
        [0xFF], [0xC0, 0x80], [0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80],
        [0xEF, 0xBB], [0xC3],
    ]

    /// Keys in right-to-left scripts, with combining marks, direction overrides, joiners and more.
    static let oddKeys = [
        "שלום", "مرحبا", "\u{202E}evil", "e\u{301}\u{301}\u{301}", "\u{200D}", "😀", "a\u{FEFF}b", "\u{10FFFF}",
        "\u{3164}", "İstanbul", "ﬀ", "\u{0301}", "Ω\u{2126}", "\u{2028}", "\u{85}", "a b", "a.b", "",
        "\\u0000", "\\\"", "\u{1F}",
    ]

    static let fragments = [
        "[", "]", "[[", "]]", "{", "}", "\"", "'", "\"\"\"", "'''", "\\", "=", ".", ",", "#", "\n", "\r\n", "\r",
        " ", "\t", "é", "\u{FEFF}", "\\u", "\\U0011FFFF", "${packages.", "= =", "[host]", "[[agents]]",
    ]
}
