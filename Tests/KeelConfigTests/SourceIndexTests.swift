import KeelConfig
import KeelTesting
import TOMLKit
import Testing

@Suite("Source index", .ownThreads)
struct SourceIndexTests {
    @Test("plain keys: the key's first character and the value's")
    func plainKeys() throws {
        let index = try indexValid("name = \"keel\"\nport = 8080\n")
        #expect(index.keyPosition(of: path("name")) == at(1, 1))
        #expect(index.valuePosition(of: path("name")) == at(1, 8))
        #expect(index.keyPosition(of: path("port")) == at(2, 1))
        #expect(index.valuePosition(of: path("port")) == at(2, 8))
        #expect(index.keyPosition(of: path("nothing")) == nil)
        #expect(index.valuePosition(of: []) == nil)
        #expect(index.keyPosition(of: []) == nil)
    }

    @Test("table headers: the header's key, and its '[' as the value; spaces and quoted keys inside")
    func tableHeaders() throws {
        let index = try indexValid(
            """
            [agents.web]
            command = ["a", "b"]

            [ a . "b.c" ]
            x = 1
            """)
        #expect(index.keyPosition(of: path("agents")) == at(1, 2))
        #expect(index.valuePosition(of: path("agents")) == nil)
        #expect(index.keyPosition(of: path("agents.web")) == at(1, 9))
        #expect(index.valuePosition(of: path("agents.web")) == at(1, 1))
        #expect(index.keyPosition(of: path("agents.web.command")) == at(2, 1))
        #expect(index.valuePosition(of: path("agents.web.command")) == at(2, 11))
        #expect(index.valuePosition(of: path("agents.web.command[0]")) == at(2, 12))
        #expect(index.valuePosition(of: path("agents.web.command[1]")) == at(2, 17))
        #expect(index.keyPosition(of: path("agents.web.command[1]")) == nil)
        #expect(index.valuePosition(of: path("agents.web.command[2]")) == nil)
        #expect(index.keyPosition(of: path("a")) == at(4, 3))
        #expect(index.keyPosition(of: [.key("a"), .key("b.c")]) == at(4, 7))
        #expect(index.valuePosition(of: [.key("a"), .key("b.c")]) == at(4, 1))
        #expect(index.keyPosition(of: [.key("a"), .key("b.c"), .key("x")]) == at(5, 1))
        #expect(index.valuePosition(of: [.key("a"), .key("b.c"), .key("x")]) == at(5, 5))
        #expect(index.keyPosition(of: path("a.b")) == nil)
    }

    @Test("a table a longer header created implicitly points at its own header once it has one")
    func implicitThenExplicitTable() throws {
        let index = try indexValid("[a.b.c]\n[a]\nk = 1\n")
        #expect(index.keyPosition(of: path("a")) == at(2, 2))
        #expect(index.valuePosition(of: path("a")) == at(2, 1))
        #expect(index.keyPosition(of: path("a.b")) == at(1, 4))
        #expect(index.valuePosition(of: path("a.b")) == nil)
        #expect(index.position(of: path("a.b")) == at(1, 4))
        #expect(index.keyPosition(of: path("a.b.c")) == at(1, 6))
        #expect(index.valuePosition(of: path("a.b.c")) == at(1, 1))
        #expect(index.keyPosition(of: path("a.k")) == at(3, 1))
    }

    @Test("arrays of tables: each [[x]] adds an element; [x.y] and [[x.y]] continue in the last one")
    func arraysOfTables() throws {
        let index = try indexValid(
            """
            [[fruits]]
            name = "apple"

            [fruits.physical]
            color = "red"

            [[fruits]]
            name = "banana"
            [[fruits.variety]]
            name = "plantain"
            """)
        #expect(index.keyPosition(of: path("fruits")) == at(1, 3))
        #expect(index.valuePosition(of: path("fruits")) == at(1, 1))
        #expect(index.keyPosition(of: path("fruits[0]")) == nil)
        #expect(index.valuePosition(of: path("fruits[0]")) == at(1, 1))
        #expect(index.keyPosition(of: path("fruits[0].name")) == at(2, 1))
        #expect(index.valuePosition(of: path("fruits[0].name")) == at(2, 8))
        #expect(index.keyPosition(of: path("fruits[0].physical")) == at(4, 9))
        #expect(index.valuePosition(of: path("fruits[0].physical")) == at(4, 1))
        #expect(index.valuePosition(of: path("fruits[0].physical.color")) == at(5, 9))
        #expect(index.valuePosition(of: path("fruits[1]")) == at(7, 1))
        #expect(index.valuePosition(of: path("fruits[1].name")) == at(8, 8))
        #expect(index.keyPosition(of: path("fruits[1].variety")) == at(9, 10))
        #expect(index.valuePosition(of: path("fruits[1].variety")) == at(9, 1))
        #expect(index.valuePosition(of: path("fruits[1].variety[0]")) == at(9, 1))
        #expect(index.keyPosition(of: path("fruits[1].variety[0].name")) == at(10, 1))
        #expect(index.valuePosition(of: path("fruits[2]")) == nil)
        #expect(index.valuePosition(of: path("fruits[0].variety")) == nil)
        #expect(index.keyPosition(of: path("fruits.name")) == nil)
    }

    @Test("dotted keys: every prefix gets the position of its own component")
    func dottedKeys() throws {
        let index = try indexValid("site.\"google.com\".owner = true\na . b = 1\n[t]\nx.y = 'z'\n")
        #expect(index.keyPosition(of: path("site")) == at(1, 1))
        #expect(index.valuePosition(of: path("site")) == nil)
        #expect(index.keyPosition(of: [.key("site"), .key("google.com")]) == at(1, 6))
        #expect(index.keyPosition(of: [.key("site"), .key("google.com"), .key("owner")]) == at(1, 19))
        #expect(index.valuePosition(of: [.key("site"), .key("google.com"), .key("owner")]) == at(1, 27))
        #expect(index.keyPosition(of: path("a")) == at(2, 1))
        #expect(index.keyPosition(of: path("a.b")) == at(2, 5))
        #expect(index.valuePosition(of: path("a.b")) == at(2, 9))
        #expect(index.keyPosition(of: path("t.x")) == at(4, 1))
        #expect(index.keyPosition(of: path("t.x.y")) == at(4, 3))
        #expect(index.valuePosition(of: path("t.x.y")) == at(4, 7))
    }

    @Test("quoted and literal keys are decoded as TOMLKit decodes them")
    func quotedKeys() throws {
        let text = """
            "caf\\u00e9" = 1
            "say \\"hi\\"" = 2
            'C:\\path' = 3
            "" = 4
            "tab\\there" = 5
            "\\U0001F600" = 6
            "back\\\\slash" = 7
            """
        let index = try indexValid(text)
        let table = try TOMLTable(string: text)
        let expected: [(String, SourcePosition, SourcePosition)] = [
            ("café", at(1, 1), at(1, 15)),
            ("say \"hi\"", at(2, 1), at(2, 16)),
            ("C:\\path", at(3, 1), at(3, 13)),
            ("", at(4, 1), at(4, 6)),
            ("tab\there", at(5, 1), at(5, 15)),
            ("😀", at(6, 1), at(6, 16)),
            ("back\\slash", at(7, 1), at(7, 17)),
        ]
        for (key, keyPosition, valuePosition) in expected {
            #expect(table[key] != nil, "TOMLKit names the key \(key) differently")
            #expect(index.keyPosition(of: [.key(key)]) == keyPosition, "\(key)")
            #expect(index.valuePosition(of: [.key(key)]) == valuePosition, "\(key)")
        }
    }

    @Test("columns count Unicode scalars, as toml++ does in its syntax errors")
    func unicodeColumns() throws {
        let index = try indexValid("\"é\" = \"ü\"\nt = { \"é\" = 1, b = 2 }\n")
        #expect(index.valuePosition(of: [.key("é")]) == at(1, 7))
        #expect(index.valuePosition(of: path("t")) == at(2, 5))
        #expect(index.keyPosition(of: [.key("t"), .key("é")]) == at(2, 7))
        #expect(index.valuePosition(of: [.key("t"), .key("é")]) == at(2, 13))
        #expect(index.keyPosition(of: path("t.b")) == at(2, 16))
        #expect(index.valuePosition(of: path("t.b")) == at(2, 20))

        let broken = "a = \"日本\"\nb = \"é😀\" ?\n"
        #expect(SourceIndex(text: broken).valuePosition(of: path("b")) == at(2, 5))
        #expect(syntaxErrorPosition(broken) == at(2, 10))
    }

    @Test("a byte order mark is not a column, as for toml++")
    func byteOrderMark() throws {
        let index = try indexValid("\u{FEFF}a = 1\nb = 2\n")
        #expect(index.keyPosition(of: path("a")) == at(1, 1))
        #expect(index.valuePosition(of: path("a")) == at(1, 5))
        #expect(index.valuePosition(of: path("b")) == at(2, 5))
        #expect(syntaxErrorPosition("\u{FEFF}a = 1 ?\n") == at(1, 7))
        #expect(SourceIndex(text: "\u{FEFF}").position(of: path("a")) == at(1, 1))
    }

    @Test("CRLF line ends, tabs and comments")
    func lineEndsTabsAndComments() throws {
        let index = try indexValid(
            "# top\r\na = 1 # one\r\n\r\n\t[\tt\t] # table\r\n\tk\t=\t\"#x\" #c\r\n# [u]\r\nl = [ # open\r\n  1, # x\r\n]\r\n"
        )
        #expect(index.valuePosition(of: path("a")) == at(2, 5))
        #expect(index.keyPosition(of: path("t")) == at(4, 4))
        #expect(index.valuePosition(of: path("t")) == at(4, 2))
        #expect(index.keyPosition(of: path("t.k")) == at(5, 2))
        #expect(index.valuePosition(of: path("t.k")) == at(5, 6))
        #expect(index.keyPosition(of: path("u")) == nil)
        #expect(index.valuePosition(of: path("t.l")) == at(7, 5))
        #expect(index.valuePosition(of: path("t.l[0]")) == at(8, 3))
        #expect(index.valuePosition(of: path("t.l[1]")) == nil)
    }

    @Test("the four kinds of string, multi-line ones with escaped quotes and newlines, are skipped whole")
    func strings() throws {
        let index = try indexValid(
            #"""
            a = """
            one \""" two "" [x] = 1
            three\
              """
            b = '''x''''
            c = """a""""
            d = 'lit' # comment "with quotes
            e = ""
            f = "esc \" # not a comment"
            g = '''
            [not.a.table]
            '''
            h = 1
            """#)
        #expect(index.valuePosition(of: path("a")) == at(1, 5))
        #expect(index.keyPosition(of: path("x")) == nil)
        #expect(index.valuePosition(of: path("b")) == at(5, 5))
        #expect(index.valuePosition(of: path("c")) == at(6, 5))
        #expect(index.valuePosition(of: path("d")) == at(7, 5))
        #expect(index.valuePosition(of: path("e")) == at(8, 5))
        #expect(index.valuePosition(of: path("f")) == at(9, 5))
        #expect(index.valuePosition(of: path("g")) == at(10, 5))
        #expect(index.keyPosition(of: path("not")) == nil)
        #expect(index.keyPosition(of: path("h")) == at(13, 1))
        #expect(index.valuePosition(of: path("h")) == at(13, 5))
    }

    @Test("arrays: nested, multi-line, with comments and a trailing comma")
    func arrays() throws {
        let index = try indexValid(
            """
            a = [
              1, # one
              [2, "x]"],
              { k = [] },
              "last",
            ]
            b = 2
            """)
        #expect(index.valuePosition(of: path("a")) == at(1, 5))
        #expect(index.valuePosition(of: path("a[0]")) == at(2, 3))
        #expect(index.valuePosition(of: path("a[1]")) == at(3, 3))
        #expect(index.valuePosition(of: path("a[1][0]")) == at(3, 4))
        #expect(index.valuePosition(of: path("a[1][1]")) == at(3, 7))
        #expect(index.valuePosition(of: path("a[1][2]")) == nil)
        #expect(index.valuePosition(of: path("a[2]")) == at(4, 3))
        #expect(index.keyPosition(of: path("a[2].k")) == at(4, 5))
        #expect(index.valuePosition(of: path("a[2].k")) == at(4, 9))
        #expect(index.valuePosition(of: path("a[2].k[0]")) == nil)
        #expect(index.valuePosition(of: path("a[3]")) == at(5, 3))
        #expect(index.valuePosition(of: path("a[4]")) == nil)
        #expect(index.valuePosition(of: path("b")) == at(7, 5))
    }

    @Test("inline tables, nested, with dotted keys")
    func inlineTables() throws {
        let index = try indexValid("p = { q = { r = 1 }, s.t = \"u\" }\nv = {}\n")
        #expect(index.valuePosition(of: path("p")) == at(1, 5))
        #expect(index.keyPosition(of: path("p.q")) == at(1, 7))
        #expect(index.valuePosition(of: path("p.q")) == at(1, 11))
        #expect(index.keyPosition(of: path("p.q.r")) == at(1, 13))
        #expect(index.valuePosition(of: path("p.q.r")) == at(1, 17))
        #expect(index.keyPosition(of: path("p.s")) == at(1, 22))
        #expect(index.valuePosition(of: path("p.s")) == nil)
        #expect(index.keyPosition(of: path("p.s.t")) == at(1, 24))
        #expect(index.valuePosition(of: path("p.s.t")) == at(1, 28))
        #expect(index.valuePosition(of: path("v")) == at(2, 5))
    }

    @Test("numbers, dates, times and booleans are opaque values, dates with a space included")
    func scalars() throws {
        let index = try indexValid(
            """
            d1 = 1979-05-27 07:32:00Z
            d2 = 1979-05-27T00:32:00.999999-07:00
            f = -inf # minus infinity
            h = 0xDEADBEEF
            arr = [1979-05-27, 07:32:00, true, 1e10, nan]
            after = 1_000
            """)
        #expect(index.valuePosition(of: path("d1")) == at(1, 6))
        #expect(index.valuePosition(of: path("d2")) == at(2, 6))
        #expect(index.valuePosition(of: path("f")) == at(3, 5))
        #expect(index.valuePosition(of: path("h")) == at(4, 5))
        #expect(index.valuePosition(of: path("arr[0]")) == at(5, 8))
        #expect(index.valuePosition(of: path("arr[1]")) == at(5, 20))
        #expect(index.valuePosition(of: path("arr[2]")) == at(5, 30))
        #expect(index.valuePosition(of: path("arr[3]")) == at(5, 36))
        #expect(index.valuePosition(of: path("arr[4]")) == at(5, 42))
        #expect(index.valuePosition(of: path("after")) == at(6, 9))
    }

    @Test("position(of:) falls back from the value to the key, then to the nearest ancestor, then to 1:1")
    func positionFallbacks() throws {
        let index = try indexValid("top = 1\n[agents.web]\nrestart.policy = \"always\"\nlist = [1]\n")
        #expect(index.position(of: path("top")) == at(1, 7))
        #expect(index.position(of: path("agents")) == at(2, 2))
        #expect(index.position(of: path("agents.web")) == at(2, 1))
        #expect(index.position(of: path("agents.web.restart")) == at(3, 1))
        #expect(index.position(of: path("agents.web.restart.policy")) == at(3, 18))
        #expect(index.position(of: path("agents.web.command")) == at(2, 1))
        #expect(index.position(of: path("agents.web.restart.delay.unit")) == at(3, 1))
        #expect(index.position(of: path("agents.web.list[3]")) == at(4, 8))
        #expect(index.position(of: path("agents.db")) == at(2, 2))
        #expect(index.position(of: path("missing.key")) == at(1, 1))
        #expect(index.position(of: []) == at(1, 1))
        #expect(index.position(of: path("top[0]")) == at(1, 7))
    }

    @Test("key paths render as a user would write them")
    func rendering() {
        #expect(renderKeyPath(path("agents.web.restart.policy")) == "agents.web.restart.policy")
        #expect(renderKeyPath(path("agents.web.command[2]")) == "agents.web.command[2]")
        #expect(renderKeyPath([.key("packages"), .key("my.pkg")]) == "packages.\"my.pkg\"")
        #expect(renderKeyPath(path("fruits[1].variety[0].name")) == "fruits[1].variety[0].name")
        #expect(renderKeyPath([.key("")]) == "\"\"")
        #expect(renderKeyPath([.key("a\"b\\c")]) == #""a\"b\\c""#)
        #expect(renderKeyPath([.key("café"), .key("tab\there"), .key("\u{1}")]) == #""café"."tab\there"."\u0001""#)
        #expect(renderKeyPath([.index(0), .key("a-b_1")]) == "[0].a-b_1")
        #expect(renderKeyPath([]) == "")
        #expect(TOMLKeyComponent.key("a b").description == "\"a b\"")
        #expect(TOMLKeyComponent.index(3).description == "[3]")
    }

    @Test("rendered keys read back as the same keys")
    func renderedKeysParse() throws {
        let keys = ["plain", "my.pkg", "", "a\"b\\c", "café", "tab\there", "\u{1}\u{7F}", "new\nline", "日本"]
        for key in keys {
            let text = "\(renderKeyPath([.key("t"), .key(key)])) = 1\n"
            let table = try TOMLTable(string: text)
            #expect(table["t"]?.table?[key]?.int == 1, "\(text)")
            #expect(SourceIndex(text: text).valuePosition(of: [.key("t"), .key(key)]) != nil, "\(text)")
        }
    }

    @Test("positions print as LINE:COL and order by line, then column")
    func positions() {
        #expect(at(3, 7).description == "3:7")
        #expect(at(1, 9) < at(2, 1))
        #expect(at(2, 1) < at(2, 3))
        #expect(!(at(2, 3) < at(2, 3)))
        #expect([at(2, 2), at(1, 5), at(2, 1)].sorted() == [at(1, 5), at(2, 1), at(2, 2)])
    }

    // MARK: Helpers

    /// Indexes `text` after checking that TOMLKit accepts it, so the document under test is valid TOML.
    private func indexValid(_ text: String) throws -> SourceIndex {
        _ = try TOMLTable(string: text)
        return SourceIndex(text: text)
    }

    /// Where TOMLKit places the syntax error in `text`, or nil when there is none.
    private func syntaxErrorPosition(_ text: String) -> SourcePosition? {
        do {
            _ = try TOMLTable(string: text)
            return nil
        } catch let error as TOMLParseError {
            return SourcePosition(line: error.source.begin.line, column: error.source.begin.column)
        } catch {
            return nil
        }
    }
}

/// Shorthand for a position in the tests.
private func at(_ line: Int, _ column: Int) -> SourcePosition {
    SourcePosition(line: line, column: column)
}

/// A path from bare keys and indices as written in a message, e.g. `a.b[2].c` (keys must be bare).
private func path(_ written: String) -> TOMLKeyPath {
    var components: TOMLKeyPath = []
    for part in written.split(separator: ".") {
        let pieces = part.split(separator: "[")
        if let key = pieces.first, !part.hasPrefix("[") { components.append(.key(String(key))) }
        for index in pieces.dropFirst(part.hasPrefix("[") ? 0 : 1) {
            if let number = Int(index.dropLast()) { components.append(.index(number)) }
        }
    }
    return components
}
