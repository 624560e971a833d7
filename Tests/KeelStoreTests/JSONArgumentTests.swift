import Foundation
import KeelTesting
import Testing

@testable import KeelStore

/// The JSON arrays of paths handed to SQLite's json_each: what a JSON parser reads back is what
/// went in, whatever the bytes.
@Suite(.ownThreads) struct JSONArgumentTests {
    @Test("quotes, backslashes, control characters and non-ASCII text come back as they went in")
    func roundTrip() throws {
        let strings = [
            "", "/keel/store/abc-plain", "quote \" and backslash \\", "tab\tnew\nline\u{1}\u{1f}",
            "naïve – 東京 🙂", "\u{7f}del",
        ]
        let json = JSONArgument.array(strings)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
        #expect(parsed == strings, "\(json)")
        #expect(JSONArgument.array([]) == "[]")
        #expect(JSONArgument.array(["a\u{1}"]) == #"["a\u0001"]"#)
    }
}
