/// Finds where a character of a string value is written in the source: past the escapes before
/// it (`\"`, `\u00E9`), and on its own line in a multi-line string, so that a problem inside a
/// string (an unknown `${packages.…}`) points at the text the user wrote.
struct StringValueLocator {
    /// The document's UTF-8 bytes.
    private let bytes: [UInt8]
    /// The offset where each line starts; line 1 starts after a byte order mark, as positions do.
    private let lineStarts: [Int]

    /// A locator for the document in `bytes`.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        let hasByteOrderMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        var starts = [hasByteOrderMark ? 3 : 0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        lineStarts = starts
    }

    /// Where the Unicode scalar at `scalarOffset` of the string whose opening quote is at `quote`
    /// is written; nil when no string starts at `quote` or it ends before that scalar.
    func position(ofScalar scalarOffset: Int, inStringAt quote: SourcePosition) -> SourcePosition? {
        guard let start = offset(of: quote), start < bytes.count else { return nil }
        let delimiter = bytes[start]
        guard delimiter == UInt8(ascii: "\"") || delimiter == UInt8(ascii: "'") else { return nil }
        var walker = Walker(bytes: bytes, offset: start, position: quote)
        let isMultiLine = walker.byte(at: 1) == delimiter && walker.byte(at: 2) == delimiter
        walker.advance(isMultiLine ? 3 : 1)
        if isMultiLine {
            // A line break right after the opening delimiter is not part of the string.
            if walker.byte(at: 0) == UInt8(ascii: "\n") {
                walker.advance(1)
            } else if walker.byte(at: 0) == UInt8(ascii: "\r"), walker.byte(at: 1) == UInt8(ascii: "\n") {
                walker.advance(2)
            }
        }
        let escapes = delimiter == UInt8(ascii: "\"")
        var remaining = scalarOffset
        while remaining > 0 {
            guard let byte = walker.byte(at: 0) else { return nil }
            if !isMultiLine, byte == delimiter || byte == UInt8(ascii: "\n") { return nil }
            if escapes, byte == UInt8(ascii: "\\") {
                if isMultiLine, let next = walker.byte(at: 1), Self.isBlank(next) {
                    // A line-ending backslash: it and the blanks and line breaks after it are no text.
                    walker.advance(1)
                    while let blank = walker.byte(at: 0), Self.isBlank(blank) { walker.advance(1) }
                    continue
                }
                walker.advance(Self.escapeLength(walker.byte(at: 1)))
            } else if byte == UInt8(ascii: "\r"), walker.byte(at: 1) == UInt8(ascii: "\n") {
                walker.advance(2)  // TOMLKit gives a CRLF in a multi-line string as one line feed.
            } else {
                walker.advanceScalar()
            }
            remaining -= 1
        }
        return walker.position
    }

    /// The byte offset of `position`, if the document has it.
    private func offset(of position: SourcePosition) -> Int? {
        guard position.line >= 1, position.line <= lineStarts.count, position.column >= 1 else { return nil }
        var offset = lineStarts[position.line - 1]
        var column = 1
        while column < position.column {
            guard offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") else { return nil }
            offset += 1
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            column += 1
        }
        return offset
    }

    /// How many bytes the escape starting with a backslash followed by `letter` takes.
    private static func escapeLength(_ letter: UInt8?) -> Int {
        switch letter {
        case UInt8(ascii: "u"): 6
        case UInt8(ascii: "U"): 10
        case UInt8(ascii: "x"): 4
        default: 2
        }
    }

    /// Spaces, tabs and line breaks.
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    /// Moves through the bytes, keeping the line and column of where it is.
    private struct Walker {
        let bytes: [UInt8]
        var offset: Int
        var position: SourcePosition

        /// The byte `ahead` bytes on, if there is one.
        func byte(at ahead: Int) -> UInt8? {
            offset + ahead < bytes.count ? bytes[offset + ahead] : nil
        }

        /// Moves past `count` bytes.
        mutating func advance(_ count: Int) {
            for _ in 0..<count {
                guard let byte = byte(at: 0) else { return }
                if byte == UInt8(ascii: "\n") {
                    position = SourcePosition(line: position.line + 1, column: 1)
                } else if byte & 0xC0 != 0x80 {
                    position = SourcePosition(line: position.line, column: position.column + 1)
                }
                offset += 1
            }
        }

        /// Moves past one Unicode scalar (its first byte and its continuation bytes).
        mutating func advanceScalar() {
            advance(1)
            while let byte = byte(at: 0), byte & 0xC0 == 0x80 { offset += 1 }
        }
    }
}
