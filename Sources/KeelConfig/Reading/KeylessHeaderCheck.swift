import TOMLKit

/// Finds a table header with no key after its `[` or `[[` (`[{`, `[=`, a `[` that ends its line),
/// which toml++ cannot be given: it asserts that a key follows (aborting a debug build) and, built
/// without assertions, assumes it (undefined behaviour). Such a header is reported here instead.
///
/// A line that starts so is a header only when toml++ reaches it between statements, which is
/// when everything before the line reads as a whole document: that is what is checked, for each
/// such line in turn (a line inside a multi-line string or array makes the text before it
/// unfinished). Checking reads the text before each line again, so it stops after reading
/// `readingBudget` bytes in all, taking the next such line as a header: only a document with many
/// lines starting with `[` and no key inside its strings can be refused wrongly.
enum KeylessHeaderCheck {
    /// How many bytes of prefixes are read at most.
    static let readingBudget = 64 << 20

    /// The offset of the character that stands where the first keyless header's key should be, if
    /// the document has such a header.
    static func firstKeylessHeader(in bytes: [UInt8]) -> Int? {
        var budget = readingBudget
        for (open, key) in candidates(in: bytes) {
            budget -= open
            guard budget >= 0 else { return key }
            if (try? TOMLTable(string: String(decoding: bytes[..<open], as: UTF8.self))) != nil { return key }
        }
        return nil
    }

    /// The lines whose first character (after spaces and tabs) is a `[` or `[[` that toml++ would
    /// read as a header without a key: the offsets of the `[` and of what follows it instead.
    private static func candidates(in bytes: [UInt8]) -> [(open: Int, key: Int)] {
        var result: [(open: Int, key: Int)] = []
        var lineStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while lineStart < bytes.count {
            let open = skipSpaces(in: bytes, from: lineStart)
            if open < bytes.count, bytes[open] == UInt8(ascii: "[") {
                var key = skipSpaces(in: bytes, from: open + 1)
                if key == open + 1, key < bytes.count, bytes[key] == UInt8(ascii: "[") {
                    key = skipSpaces(in: bytes, from: key + 1)
                } else if key < bytes.count, bytes[key] == UInt8(ascii: "[") {
                    key = bytes.count  // "[ [": toml++ reports the space itself
                }
                if key < bytes.count, !startsKey(bytes[key]) { result.append((open, key)) }
            }
            guard let lineFeed = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            lineStart = lineFeed + 1
        }
        return result
    }

    /// The offset of the first byte from `offset` on that is not a space or a tab.
    private static func skipSpaces(in bytes: [UInt8], from offset: Int) -> Int {
        var offset = offset
        while offset < bytes.count, bytes[offset] == UInt8(ascii: " ") || bytes[offset] == UInt8(ascii: "\t") {
            offset += 1
        }
        return offset
    }

    /// Whether toml++ reads `byte` as the start of a header's key (or as the `]` of an empty one,
    /// which it reports itself): a bare key character, a quote or an apostrophe.
    private static func startsKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""),
            UInt8(ascii: "'"), UInt8(ascii: "]"):
            true
        default: false
        }
    }
}
