import KeelTesting

/// Writes a random valid TOML document using every construct a `SourceIndex` must follow (tables, arrays of tables,
/// a super-table defined after its sub-table, dotted keys sharing prefixes, inline tables, nested multi-line arrays,
/// the four kinds of string, quoted Unicode keys with escapes, comments, CRLF, a byte order mark), and remembers how
/// it spelled each key so a test can check what is written where the index says the key is.
struct RandomTOMLDocument {
    /// The document.
    private(set) var text = ""
    /// How each key is written in `text`; every key name is fresh, so it has one spelling.
    private(set) var spellings: [String: String] = [:]

    private var random: SeededGenerator
    private var counter = 0
    private let lineEnd: String

    /// A document drawn from `seed`.
    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        lineEnd = Bool.random(using: &random) ? "\r\n" : "\n"
        writeDocument()
    }

    // MARK: Document structure

    private mutating func writeDocument() {
        if chance(5) { text += "\u{FEFF}" }
        if chance(2) { text += "# a random document" + lineEnd }
        writeKeyValues(count: number(0...4))
        for _ in 0..<number(1...8) {
            text += blankLines()
            switch number(0...3) {
            case 0:
                writeHeader(chance(2) ? [freshKey()] : [freshKey(), freshKey()])
                writeKeyValues(count: number(0...4))
            case 1:
                // A sub-table first, then its super-table, which the sub-table's header created implicitly.
                let top = freshKey()
                writeHeader([top, freshKey(), freshKey()])
                writeKeyValues(count: number(0...3))
                writeHeader([top])
                writeKeyValues(count: number(0...3))
            case 2:
                writeArrayOfTables()
            default:
                writeHeader([freshKey()])
                let prefix = freshKey()
                let first = freshKey()
                text += spelling(prefix) + "." + spelling(first) + " = 1" + lineEnd
                writeKeyValues(count: number(1...4))
                let second = freshKey()
                text += spelling(prefix) + " . " + spelling(second) + " = 2" + lineEnd
            }
        }
    }

    /// `[[name]]` one to three times, each element with keys, maybe a sub-table and maybe a nested array of tables.
    private mutating func writeArrayOfTables() {
        let name = chance(2) ? [freshKey()] : [freshKey(), freshKey()]
        let inner = freshKey()
        for _ in 0..<number(1...3) {
            writeHeader(name, arrayOfTables: true)
            writeKeyValues(count: number(0...3))
            if chance(2) {
                writeHeader(name + [freshKey()])
                writeKeyValues(count: number(0...2))
            }
            if chance(2) {
                for _ in 0..<number(1...2) {
                    writeHeader(name + [inner], arrayOfTables: true)
                    writeKeyValues(count: number(0...2))
                }
            }
        }
    }

    private mutating func writeHeader(_ keys: [String], arrayOfTables: Bool = false) {
        let open = arrayOfTables ? "[[" : "["
        let close = arrayOfTables ? "]]" : "]"
        let spelled = keys.map { spellings[$0] ?? $0 }
        let dot = space() + "." + space()
        text += space() + open + space() + spelled.joined(separator: dot) + space() + close + comment() + lineEnd
    }

    /// `count` key/value lines in the current table; some dotted keys extend the dotted prefixes of earlier ones.
    private mutating func writeKeyValues(count: Int) {
        var prefixes: [[String]] = []
        for _ in 0..<count {
            let keys = dottedKey(extending: &prefixes)
            text += space() + keys.map { spellings[$0] ?? $0 }.joined(separator: space() + "." + space())
            text += space() + "=" + space() + value(depth: 0) + comment() + lineEnd
        }
    }

    /// Fresh key names for one key/value pair: one to three components, or a fresh key under an earlier prefix.
    private mutating func dottedKey(extending prefixes: inout [[String]]) -> [String] {
        if !prefixes.isEmpty && chance(2) {
            let prefix = prefixes[number(0...(prefixes.count - 1))]
            return prefix + [freshKey()]
        }
        let keys = (0..<number(1...3)).map { _ in freshKey() }
        if keys.count > 1 { prefixes.append(Array(keys.dropLast())) }
        return keys
    }

    // MARK: Keys

    /// A key name used nowhere else in the document, with the spelling it will always be written with.
    private mutating func freshKey() -> String {
        counter += 1
        let (name, spelled): (String, String)
        switch number(0...3) {
        case 0:
            name = ["k\(counter)", "K_\(counter)-x", "\(counter)", "true\(counter)"][number(0...3)]
            spelled = name
        case 1, 2:
            var decoded = ""
            var written = ""
            for _ in 0..<number(0...3) {
                let piece = Self.basicKeyPieces[number(0...(Self.basicKeyPieces.count - 1))]
                decoded += piece.decoded
                written += piece.written
            }
            name = decoded + "\(counter)"
            spelled = "\"" + written + "\(counter)\""
        default:
            let piece = ["", "é.", "日本 ", "C:\\", "\"q\"", "#", "😀", " [x] "][number(0...7)]
            name = piece + "\(counter)" + piece
            spelled = "'" + name + "'"
        }
        spellings[name] = spelled
        return name
    }

    /// Pieces of basic-string keys: what a key holds and how it is written.
    private static let basicKeyPieces: [(decoded: String, written: String)] = [
        ("key", "key"), ("é", "é"), ("é", "\\u00e9"), ("😀", "\\U0001F600"), ("日本", "日本"), ("\"", "\\\""),
        ("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), (".", "."), (" ", " "), ("#", "#"), ("=", "="), ("'", "'"),
        ("[", "["), ("}", "}"),
    ]

    private func spelling(_ name: String) -> String { spellings[name] ?? name }

    // MARK: Values

    private mutating func value(depth: Int) -> String {
        switch number(0...(depth < 3 ? 9 : 7)) {
        case 0: return ["42", "-17", "+3", "1_000", "0xDEAD_beef", "0o755", "0b1101", "0"][number(0...7)]
        case 1: return ["3.14", "-0.01", "5e+22", "6.626e-34", "inf", "-inf", "nan", "+nan"][number(0...7)]
        case 2: return chance(2) ? "true" : "false"
        case 3:
            return [
                "1979-05-27T07:32:00Z", "1979-05-27 07:32:00.999-07:00", "1979-05-27", "07:32:00",
                "1979-05-27T07:32:00",
            ][number(0...4)]
        case 4:
            return "\"" + pieces(["plain", "é", "日本", "😀", "\\\"", "\\\\", "\\n", "\\u00E9", "#", "[x]", "'"]) + "\""
        case 5: return "'" + pieces(["plain", "é", "\"", "\\", "#", "[x]", "{", " = ", ","]) + "'"
        case 6:
            let body = pieces(["text", "\"\"x", "\\\"\\\"\\\"", "\\" + lineEnd + "   ", lineEnd, "#", "'''", "]", "é"])
            return "\"\"\"" + (chance(2) ? lineEnd : "") + body + ["", "\"", "\"\""][number(0...2)] + "\"\"\""
        case 7:
            let body = pieces(["text", "''x", "\"\"\"", "\\", lineEnd, "#", "]", "日本"])
            return "'''" + (chance(2) ? lineEnd : "") + body + ["", "'", "''"][number(0...2)] + "'''"
        case 8: return array(depth: depth + 1)
        default: return inlineTable(depth: depth + 1)
        }
    }

    /// An array, on one line or many, with comments between elements and maybe a trailing comma.
    private mutating func array(depth: Int) -> String {
        let multiLine = chance(2)
        let elements = (0..<number(0...4)).map { _ in value(depth: depth) }
        var written = "["
        for (position, element) in elements.enumerated() {
            written += multiLine ? lineEnd + "  " : space()
            written += element
            if position < elements.count - 1 || chance(3) { written += space() + "," }
            if multiLine && chance(3) { written += " # element" }
        }
        written += multiLine ? lineEnd : space()
        return written + "]"
    }

    /// An inline table (on one line, as TOML 1.0 wants, though its values may span lines), dotted keys included.
    private mutating func inlineTable(depth: Int) -> String {
        var prefixes: [[String]] = []
        var entries: [String] = []
        for _ in 0..<number(0...3) {
            let keys = dottedKey(extending: &prefixes).map { spellings[$0] ?? $0 }
            entries.append(keys.joined(separator: ".") + space() + "=" + space() + value(depth: depth))
        }
        return "{" + space() + entries.joined(separator: space() + "," + space()) + space() + "}"
    }

    /// Zero to four pieces drawn from `choices`, joined.
    private mutating func pieces(_ choices: [String]) -> String {
        (0..<number(0...4)).map { _ in choices[number(0...(choices.count - 1))] }.joined()
    }

    // MARK: Layout

    private mutating func space() -> String { ["", "", " ", " ", "\t", "  "][number(0...5)] }

    private mutating func comment() -> String { chance(4) ? space() + " # note: [x] = \"y\"" : "" }

    private mutating func blankLines() -> String {
        (0..<number(0...2)).map { _ in chance(3) ? "# comment" + lineEnd : lineEnd }.joined()
    }

    private mutating func number(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    /// True once in `odds` draws.
    private mutating func chance(_ odds: Int) -> Bool { number(1...odds) == 1 }
}
