/// The paragraphs of a deb822 file (Debian Policy 5.1): a Packages list, a control file, a
/// Release file.
///
/// Paragraphs are separated by blank lines (empty or only spaces and tabs); a field is a
/// `Name: value` line followed by continuation lines that start with a space or a tab. The text
/// is parsed from bytes in one pass and kept whole: a paragraph is a view into it, and a field's
/// value becomes a `String` only when asked for, so parsing a 100 MB Packages file costs one
/// scan and a few small arrays. Comment lines (only debian/control has them) are not accepted.
public struct DebianControl: RandomAccessCollection, Sendable {
    private let storage: DebianControlStorage
    private let paragraphs: [DebianControlStorage.ParagraphSpan]

    /// Parses `text`; `source` names it in error messages (a file's path).
    ///
    /// - Throws: `RuntimeError` naming `source` and the line for a line that is neither a field
    ///   nor a continuation, a field without a name, a continuation line with no field before
    ///   it, or a text of 4 GiB or more.
    public init(parsing text: [UInt8], source: String) throws(RuntimeError) {
        guard text.count < Int(UInt32.max) else { throw RuntimeError("\(source): too large for a deb822 file") }
        var fields: [DebianControlStorage.FieldSpan] = []
        var paragraphs: [DebianControlStorage.ParagraphSpan] = []
        let failure = text.withUnsafeBufferPointer { bytes in
            DebianControlScanner.scan(bytes, fields: &fields, paragraphs: &paragraphs)
        }
        if let failure { throw RuntimeError("\(source) line \(failure.line): \(failure.problem)") }
        storage = DebianControlStorage(text: text, fields: fields)
        self.paragraphs = paragraphs
    }

    /// The index of the first paragraph (0).
    public var startIndex: Int { 0 }
    /// One past the index of the last paragraph.
    public var endIndex: Int { paragraphs.count }

    /// The paragraph at `position`.
    public subscript(position: Int) -> DebianParagraph {
        DebianParagraph(storage: storage, span: paragraphs[position])
    }
}

/// One paragraph of a `DebianControl`: its fields, looked up by case-insensitive name.
public struct DebianParagraph: Sendable {
    fileprivate let storage: DebianControlStorage
    fileprivate let span: DebianControlStorage.ParagraphSpan

    /// The 1-based line number of the paragraph's first field.
    public var line: Int { Int(span.line) }

    /// The field names in the order they appear, spelled as written.
    public var fieldNames: [String] {
        (span.firstField..<span.endField).map { index in
            let field = storage.fields[Int(index)]
            return storage.string(field.nameStart, field.nameEnd)
        }
    }

    /// The value of the field `name` (compared case-insensitively; the first wins should a
    /// paragraph repeat it), or nil when the paragraph has no such field.
    ///
    /// The value starts at its first non-blank character and ends at the last of its last line;
    /// continuation lines stay as written, each after a line feed (`"a\n b"`), which is
    /// whitespace to every field that folds lines (Depends, Provides…).
    public subscript(name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            storage.text.withUnsafeBufferPointer { text in
                for index in span.firstField..<span.endField {
                    let field = storage.fields[Int(index)]
                    guard Int(field.nameEnd - field.nameStart) == wanted.count else { continue }
                    if Self.equalIgnoringCase(text, from: Int(field.nameStart), wanted) {
                        return String(decoding: text[Int(field.valueStart)..<Int(field.valueEnd)], as: UTF8.self)
                    }
                }
                return nil
            }
        }
    }

    /// The values of the fields `names` (compared case-insensitively), in the same order, nil
    /// for those the paragraph lacks: one pass over the paragraph, for readers that want many.
    public func values(of names: [String]) -> [String?] {
        let wanted = names.map { Array($0.utf8) }
        var values = [String?](repeating: nil, count: names.count)
        storage.text.withUnsafeBufferPointer { text in
            storage.fields.withUnsafeBufferPointer { fields in
                for index in Int(span.firstField)..<Int(span.endField) {
                    let field = fields[index]
                    let length = Int(field.nameEnd - field.nameStart)
                    for (position, name) in wanted.enumerated() where name.count == length && values[position] == nil {
                        let matches = name.withUnsafeBufferPointer {
                            Self.equalIgnoringCase(text, from: Int(field.nameStart), $0)
                        }
                        if matches {
                            values[position] = String(
                                decoding: text[Int(field.valueStart)..<Int(field.valueEnd)], as: UTF8.self)
                            break
                        }
                    }
                }
            }
        }
        return values
    }

    private static func equalIgnoringCase(
        _ text: UnsafeBufferPointer<UInt8>, from start: Int, _ wanted: UnsafeBufferPointer<UInt8>
    )
        -> Bool
    {
        for offset in 0..<wanted.count {
            let left = text[start + offset]
            let right = wanted[offset]
            if left == right { continue }
            guard left | 0x20 == right | 0x20, (left | 0x20) >= 0x61, (left | 0x20) <= 0x7a else { return false }
        }
        return true
    }
}

/// The text of a parsed deb822 file and where its fields are, shared by its paragraphs.
private final class DebianControlStorage: Sendable {
    /// Where one field's name and value are in the text.
    struct FieldSpan: Sendable {
        var nameStart: UInt32
        var nameEnd: UInt32
        var valueStart: UInt32
        var valueEnd: UInt32
    }

    /// Which fields one paragraph holds, and its first line.
    struct ParagraphSpan: Sendable {
        var firstField: UInt32
        var endField: UInt32
        var line: UInt32
    }

    let text: [UInt8]
    let fields: [FieldSpan]

    init(text: [UInt8], fields: [FieldSpan]) {
        self.text = text
        self.fields = fields
    }

    func string(_ start: UInt32, _ end: UInt32) -> String {
        String(decoding: text[Int(start)..<Int(end)], as: UTF8.self)
    }
}

/// The one pass over a deb822 text that finds its fields and paragraphs.
private enum DebianControlScanner {
    struct Failure {
        let line: Int
        let problem: String
    }

    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, fields: inout [DebianControlStorage.FieldSpan],
        paragraphs: inout [DebianControlStorage.ParagraphSpan]
    ) -> Failure? {
        let count = bytes.count
        var position = 0
        var line = 1
        var paragraphStart = 0
        var paragraphLine = 0
        func closeParagraph() {
            if fields.count > paragraphStart {
                paragraphs.append(
                    .init(
                        firstField: UInt32(paragraphStart), endField: UInt32(fields.count), line: UInt32(paragraphLine))
                )
            }
            paragraphStart = fields.count
        }
        while position < count {
            let lineEnd = endOfLine(bytes, from: position)
            var contentEnd = lineEnd
            while contentEnd > position, isBlank(bytes[contentEnd - 1]) { contentEnd -= 1 }
            if contentEnd == position {
                closeParagraph()
            } else if bytes[position] == 0x20 || bytes[position] == 0x09 {
                guard fields.count > paragraphStart else {
                    return Failure(line: line, problem: "a continuation line with no field before it")
                }
                let last = fields.count - 1
                if fields[last].valueStart == fields[last].valueEnd {
                    var start = position
                    while isBlank(bytes[start]) { start += 1 }
                    fields[last].valueStart = UInt32(start)
                }
                fields[last].valueEnd = UInt32(contentEnd)
            } else {
                guard let colon = firstColon(bytes, from: position, to: contentEnd) else {
                    return Failure(line: line, problem: "expected 'Field: value' or a continuation line")
                }
                guard colon > position else { return Failure(line: line, problem: "a field without a name") }
                var valueStart = colon + 1
                while valueStart < contentEnd, isBlank(bytes[valueStart]) { valueStart += 1 }
                if fields.count == paragraphStart { paragraphLine = line }
                fields.append(
                    .init(
                        nameStart: UInt32(position), nameEnd: UInt32(colon), valueStart: UInt32(valueStart),
                        valueEnd: UInt32(contentEnd)))
            }
            position = lineEnd + 1
            line += 1
        }
        closeParagraph()
        return nil
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d }

    private static func endOfLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] != 0x0a { index += 1 }
        return index
    }

    private static func firstColon(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            if bytes[index] == 0x3a { return index }
            index += 1
        }
        return nil
    }
}
