import KeelConfig
import KeelTesting
import TOMLKit
import Testing

@Suite("Source index on random and broken documents", .ownThreads)
struct SourceIndexPropertyTests {
    @Test("every key path TOMLKit reads from a random valid document has a position, and the text there fits")
    func randomDocuments() throws {
        let seed = testSeed()
        for round in 0..<300 {
            let document = RandomTOMLDocument(seed: seed &+ UInt64(round))
            let table: TOMLTable
            do {
                table = try TOMLTable(string: document.text)
            } catch {
                Issue.record(
                    "seed \(seed &+ UInt64(round)): TOMLKit refuses the generated document (\(error)):\n\(document.text)"
                )
                continue
            }
            var checker = PositionChecker(document: document, seed: seed &+ UInt64(round))
            checker.check(table, at: [])
            #expect(checker.checkedPaths > 0)
        }
    }

    @Test("random bytes, syntax fragments and truncated documents are indexed without a crash")
    func garbage() {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let fragments = [
            "[", "]", "[[", "]]", "{", "}", "\"", "'", "\"\"\"", "'''", "\\", "=", ".", ",", "#", "\n", "\r\n", "\r",
            " ",
            "\t", "a", "é", "😀", "\u{FEFF}", "1979-05-27 07:32:00", "\\u00e9", "\\U0001F6", "\u{0}",
        ]
        for round in 0..<300 {
            let text: String
            switch round % 3 {
            case 0:
                text = String(decoding: random.bytes(Int.random(in: 0...2000, using: &random)), as: UTF8.self)
            case 1:
                text = (0..<Int.random(in: 0...400, using: &random)).map { _ in
                    fragments[Int.random(in: 0..<fragments.count, using: &random)]
                }.joined()
            default:
                let whole = RandomTOMLDocument(seed: seed &+ UInt64(round)).text.unicodeScalars
                let cut = Int.random(in: 0...whole.count, using: &random)
                text = String(String.UnicodeScalarView(whole.prefix(cut)))
            }
            let index = SourceIndex(text: text)
            let position = index.position(of: [.key("a"), .index(0), .key("b")])
            #expect(position.line >= 1 && position.column >= 1, "seed \(seed), round \(round)")
        }
    }

    @Test("unterminated strings, arrays, inline tables and headers keep what comes before them")
    func unterminated() {
        let cases = [
            "k = 1\na = \"abc", "k = 1\na = \"\"\"abc\n", "k = 1\na = '''", "k = 1\na = 'abc\nb = 2", "k = 1\n\"key",
            "k = 1\na = [1, \"x", "k = 1\na = {b = ", "k = 1\n[a.b", "k = 1\n[[a", "k = 1\n[", "k = 1\na =", "k = 1\na",
            "k = 1\n\"\\u12", "k = 1\na = \"\\", "k = 1\na = [{", "k = 1\n'''", "k = 1\n]]]]", "k = 1\n}}} = 3",
        ]
        for text in cases {
            let index = SourceIndex(text: text)
            #expect(index.valuePosition(of: [.key("k")]) == SourcePosition(line: 1, column: 5), "\(text)")
        }
        #expect(
            SourceIndex(text: "a = 'abc\nb = 2").valuePosition(of: [.key("b")]) == SourcePosition(line: 2, column: 5))
    }

    @Test("10,000 levels of nesting are indexed without exhausting the stack")
    func deepNesting() {
        let depth = 10_000
        let arrays = SourceIndex(
            text: "a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        let deepest: TOMLKeyPath = [.key("a")] + Array(repeating: .index(0), count: depth - 1)
        #expect(arrays.valuePosition(of: deepest) == SourcePosition(line: 1, column: 4 + depth))
        #expect(arrays.valuePosition(of: deepest + [.index(0)]) == nil)

        let tables = SourceIndex(
            text: "a = " + String(repeating: "{b=", count: depth) + "1" + String(repeating: "}", count: depth))
        let deepestKey: TOMLKeyPath = [.key("a")] + Array(repeating: .key("b"), count: depth)
        #expect(tables.valuePosition(of: deepestKey) == SourcePosition(line: 1, column: 4 + 3 * depth + 1))

        let header = SourceIndex(text: "[" + Array(repeating: "a", count: depth).joined(separator: ".") + "]\nk = 1")
        let headerPath: TOMLKeyPath = Array(repeating: .key("a"), count: depth) + [.key("k")]
        #expect(header.keyPosition(of: headerPath) == SourcePosition(line: 2, column: 1))

        let unclosed = SourceIndex(text: "a = " + String(repeating: "[{x=", count: depth))
        #expect(unclosed.valuePosition(of: [.key("a")]) == SourcePosition(line: 1, column: 5))
    }
}

/// Walks what TOMLKit read and checks each key path against a `SourceIndex` of the same text.
private struct PositionChecker {
    let document: RandomTOMLDocument
    let seed: UInt64
    let index: SourceIndex
    /// The document's lines as Unicode scalars, without the byte order mark (toml++ does not count it).
    let lines: [[Unicode.Scalar]]
    private(set) var checkedPaths = 0

    init(document: RandomTOMLDocument, seed: UInt64) {
        self.document = document
        self.seed = seed
        self.index = SourceIndex(text: document.text)
        var scalars = Array(document.text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.lines = scalars.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
    }

    /// Checks every key and element in `table`, found at `path`.
    mutating func check(_ table: TOMLTable, at path: TOMLKeyPath) {
        for (key, value) in table {
            let keyPath = path + [.key(key)]
            checkedPaths += 1
            let spelled = document.spellings[key] ?? key
            guard let keyPosition = index.keyPosition(of: keyPath) else {
                fail("no key position for \(renderKeyPath(keyPath))")
                continue
            }
            if !text(at: keyPosition).hasPrefix(spelled) {
                fail("\(renderKeyPath(keyPath)) at \(keyPosition) reads «\(text(at: keyPosition))», not «\(spelled)»")
            }
            if let valuePosition = index.valuePosition(of: keyPath), value.type != .table, value.type != .array,
                valuePosition <= keyPosition
            {
                fail("the value of \(renderKeyPath(keyPath)) at \(valuePosition) is not after its key")
            }
            checkValue(value, at: keyPath)
        }
    }

    /// Checks that the value at `path` starts where the index says, with a character of its type.
    private mutating func checkValue(_ value: any TOMLValueConvertible, at path: TOMLKeyPath) {
        let valuePosition = index.valuePosition(of: path)
        let first = valuePosition.map { text(at: $0).unicodeScalars.first ?? " " }
        switch value.type {
        case .table:
            guard let table = value.table else { return }
            if let first {
                let expected: Unicode.Scalar = table.inline ? "{" : "["
                if first != expected { fail("the table \(renderKeyPath(path)) starts with \(first), not \(expected)") }
            }
            check(table, at: path)
        case .array:
            guard let array = value.array else { return }
            if first != "[" { fail("the array \(renderKeyPath(path)) starts with \(String(describing: first))") }
            var previous: SourcePosition?
            for element in 0..<array.count {
                let elementPath = path + [.index(element)]
                checkedPaths += 1
                if index.keyPosition(of: elementPath) != nil {
                    fail("\(renderKeyPath(elementPath)) has a key position")
                }
                guard let position = index.valuePosition(of: elementPath) else {
                    fail("no value position for \(renderKeyPath(elementPath))")
                    continue
                }
                if let previous, position <= previous {
                    fail("\(renderKeyPath(elementPath)) is not after the one before")
                }
                previous = position
                checkValue(array[element], at: elementPath)
            }
        case .string: expect(first, in: "\"'", at: path)
        case .int, .double: expect(first, in: "0123456789+-in", at: path)
        case .bool: expect(first, in: "tf", at: path)
        case .date, .time, .dateTime: expect(first, in: "0123456789", at: path)
        }
    }

    private func expect(_ first: Unicode.Scalar?, in allowed: String, at path: TOMLKeyPath) {
        guard let first else { return fail("no value position for \(renderKeyPath(path))") }
        if !allowed.unicodeScalars.contains(first) { fail("the value of \(renderKeyPath(path)) starts with \(first)") }
    }

    /// The rest of the line from `position`.
    private func text(at position: SourcePosition) -> String {
        guard lines.indices.contains(position.line - 1) else { return "" }
        let line = lines[position.line - 1]
        guard position.column >= 1, position.column - 1 <= line.count else { return "" }
        return String(String.UnicodeScalarView(line[(position.column - 1)...]))
    }

    private func fail(_ message: String) {
        Issue.record("seed \(seed): \(message) in:\n\(document.text)")
    }
}
