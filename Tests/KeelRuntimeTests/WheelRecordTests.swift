import KeelTesting
import Testing

@testable import KeelRuntime

@Suite("Wheel RECORD files", .ownThreads)
struct WheelRecordTests {
    @Test("quoted fields, doubled quotes and CR LF line ends are read as Python's csv writes them")
    func parsesQuotedFields() throws {
        let text = "a.py,sha256=x,1\r\n\"b,\"\"c\"\".py\",sha384=y,22\r\n\r\npkg.dist-info/RECORD,,\n"
        let record = try WheelRecord(parsing: text, wheel: "w.whl")
        #expect(record.entries.count == 3)
        let expected = try RecordDigest(parsing: "sha384=y", what: "test")
        #expect(record.entries["b,\"c\".py"]?.digest == expected)
        #expect(record.entries["b,\"c\".py"]?.size == 22)
        #expect(
            record.entries["pkg.dist-info/RECORD"]
                == WheelRecord.Entry(hashField: "", sizeField: "", digest: nil, size: nil))
        #expect(
            RecordCSV.text(of: [["b,\"c\".py", "h", "1"], ["plain", "", ""]]) == "\"b,\"\"c\"\".py\",h,1\r\nplain,,\r\n"
        )
    }

    @Test(
        "malformed RECORD lines are clear errors",
        arguments: [
            ("a.py,sha256=x\n", "line 1 has 2 fields, not 3"),
            ("a.py,md5=x,1\n", "hash algorithm 'md5' is not accepted"),
            ("a.py,sha256,1\n", "the hash 'sha256' is not ALGORITHM=DIGEST"),
            ("a.py,sha256=x,big\n", "the size 'big' is not a number"),
            ("a.py,sha256=x,1\na.py,sha256=x,1\n", "'a.py' is listed twice"),
            ("\"a.py,sha256=x,1\n", "quoted field that is never closed"),
        ])
    func malformed(_ text: String, _ expected: String) {
        let error = #expect(throws: RuntimeError.self) { try WheelRecord(parsing: text, wheel: "w.whl") }
        #expect(error?.message.hasPrefix("wheel w.whl: RECORD") == true)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test("content is checked against the hash and the size RECORD gives")
    func checksContent() throws {
        let content = Array("Y = 2\n".utf8)
        let digest = RecordDigest.sha256(of: content)
        #expect(digest.text == "sha256=fgiy80daOU4RpYfgcv5TTh0spXazu52sZ58TF_yND1A")
        func check(_ entry: WheelRecord.Entry) throws(RuntimeError) {
            var check = RecordCheck(expected: entry, member: "m.py", what: "wheel w.whl")
            content.withUnsafeBytes { check.update($0) }
            try check.finish()
        }
        try check(WheelRecord.Entry(hashField: digest.text, sizeField: "6", digest: digest, size: 6))
        #expect(throws: RuntimeError("wheel w.whl: member 'm.py' is 6 bytes, but its RECORD line says 7")) {
            try check(WheelRecord.Entry(hashField: digest.text, sizeField: "7", digest: digest, size: 7))
        }
        let other = try RecordDigest(parsing: "sha512=abc", what: "test")
        let error = #expect(throws: RuntimeError.self) {
            try check(WheelRecord.Entry(hashField: other.text, sizeField: "", digest: other, size: nil))
        }
        #expect(error?.message.contains("(RECORD says sha512=abc, the content has sha512=") == true)
    }
}
