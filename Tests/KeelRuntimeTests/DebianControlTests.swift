import KeelRuntime
import KeelTesting
import Testing

@Suite("DebianControl reads deb822 paragraphs", .ownThreads)
struct DebianControlTests {
    func parse(_ text: String) throws(RuntimeError) -> DebianControl {
        try DebianControl(parsing: Array(text.utf8), source: "test")
    }

    @Test("fields, continuation lines, case-insensitive names and paragraph separators")
    func fields() throws {
        let control = try parse(
            """


            Package: hello
            version:   2.10-3  \r
            Depends: libc6 (>= 2.34),
             libfoo
            \tlibbar
            Description: greets
             the world
             .
             again
            \u{20}\t
            Package: second
            Conffiles:
             /etc/a 123
             /etc/b 456


            Package: third
            """)
        #expect(control.count == 3)
        let first = control[0]
        #expect(first.line == 3)
        #expect(first.fieldNames == ["Package", "version", "Depends", "Description"])
        #expect(first["package"] == "hello")
        #expect(first["VERSION"] == "2.10-3")
        #expect(first["Depends"] == "libc6 (>= 2.34),\n libfoo\n\tlibbar")
        #expect(first["Description"] == "greets\n the world\n .\n again")
        #expect(first["Missing"] == nil)
        #expect(control[1]["Conffiles"] == "/etc/a 123\n /etc/b 456")
        #expect(control[1].line == 13)
        #expect(control[2]["Package"] == "third")
        #expect(control[2].line == 19)
        #expect(try parse("").isEmpty)
        #expect(try parse("\n \n\t\n").isEmpty)
        #expect(try parse("A: 1\nB:\nC:x")[0]["B"] == "")
        #expect(try parse("A: 1\nB:\nC:x")[0]["c"] == "x")
        #expect(try parse("A: 1\nA: 2")[0]["A"] == "1")
    }

    @Test(
        "refuses malformed lines, naming the source and line",
        arguments: [
            ("Package: a\nnot a field\n", "test line 2: expected 'Field: value' or a continuation line"),
            (" continued\nPackage: a\n", "test line 1: a continuation line with no field before it"),
            ("Package: a\n\n continued\n", "test line 3: a continuation line with no field before it"),
            ("Package: a\n: value\n", "test line 2: a field without a name"),
        ])
    func refused(text: String, message: String) {
        #expect(throws: RuntimeError(message)) { try parse(text) }
    }
}
