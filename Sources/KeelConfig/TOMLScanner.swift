/// Reads the lexical pieces of a TOML document from its UTF-8 bytes: blanks, comments, keys (decoded as TOMLKit
/// decodes them) and values (skipped whole). It never stops on bad input: every piece it reads consumes what it can,
/// and it never reads past the end.
struct TOMLScanner {
    /// One component of a dotted key: its decoded name and the byte offset where it is written.
    struct KeyPart {
        /// The key as TOMLKit gives it: bare text, or a quoted key with its escapes decoded.
        let name: String
        /// The offset of the key's first byte (its opening quote when quoted).
        let offset: Int
    }

    /// The document's bytes.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read.
    private(set) var offset: Int
    /// The components of the key `scanKey()` read last (kept to reuse its storage).
    private(set) var keyParts: [KeyPart] = []

    /// A scanner at the start of `bytes`, past a UTF-8 byte order mark if there is one.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        let hasByteOrderMark = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        self.offset = hasByteOrderMark ? 3 : 0
    }

    /// The next byte, or nil at the end.
    var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    /// Whether the next byte ends a line (a line feed, a carriage return, or the end of the text).
    var isAtLineEnd: Bool {
        guard let byte = current else { return true }
        return byte == TOMLByte.lineFeed || byte == TOMLByte.carriageReturn
    }

    /// Moves past the next byte.
    mutating func advance() {
        if offset < bytes.count { offset += 1 }
    }

    /// Whether `byte` may appear in a bare key (`A-Za-z0-9_-`).
    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case TOMLByte.lowerA...TOMLByte.lowerZ, TOMLByte.upperA...TOMLByte.upperZ, TOMLByte.digit0...TOMLByte.digit9,
            TOMLByte.underscore,
            TOMLByte.hyphen:
            true
        default: false
        }
    }

    /// Whether the scanner reads `byte` as part of a bare key: TOML 1.0's bytes, plus any non-TOMLByte byte, so that a
    /// document using TOML 1.1's Unicode bare keys is still indexed.
    private static func continuesBareKey(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte >= 0x80
    }

    // MARK: Blanks and comments

    /// Skips spaces and tabs.
    mutating func skipSpaces() {
        while let byte = current, byte == TOMLByte.space || byte == TOMLByte.tab { offset += 1 }
    }

    /// Skips a comment if one starts here, up to (not including) the line feed that ends it.
    mutating func skipComment() {
        guard current == TOMLByte.hash else { return }
        while let byte = current, byte != TOMLByte.lineFeed { offset += 1 }
    }

    /// Skips spaces, tabs, line ends and comments.
    mutating func skipBlanks() {
        while let byte = current {
            switch byte {
            case TOMLByte.space, TOMLByte.tab, TOMLByte.lineFeed, TOMLByte.carriageReturn: offset += 1
            case TOMLByte.hash: skipComment()
            default: return
            }
        }
    }

    /// Skips to the start of the next line.
    mutating func skipRestOfLine() {
        while let byte = current {
            offset += 1
            if byte == TOMLByte.lineFeed { return }
        }
    }

    // MARK: Keys

    /// Reads a key, dotted or not (`a`, `a . "b.c" . 'd'`), into `keyParts`, stopping after its last component
    /// (before `=` or `]`). Returns false, with `keyParts` empty, when no key starts here.
    mutating func scanKey() -> Bool {
        keyParts.removeAll(keepingCapacity: true)
        while true {
            skipSpaces()
            let start = offset
            guard let name = scanKeyComponent() else { return !keyParts.isEmpty }
            keyParts.append(KeyPart(name: name, offset: start))
            skipSpaces()
            guard current == TOMLByte.dot else { return true }
            offset += 1
        }
    }

    /// Reads one bare, basic or literal key, or returns nil (consuming nothing) when none starts here.
    private mutating func scanKeyComponent() -> String? {
        guard let byte = current else { return nil }
        switch byte {
        case TOMLByte.quote: return scanBasicKey()
        case TOMLByte.apostrophe: return scanLiteralKey()
        default:
            guard Self.continuesBareKey(byte) else { return nil }
            let start = offset
            while let next = current, Self.continuesBareKey(next) { offset += 1 }
            return text(start..<offset)
        }
    }

    /// Reads `'…'` and returns what is between the apostrophes (the line's end ends an unterminated one).
    private mutating func scanLiteralKey() -> String {
        offset += 1
        let start = offset
        while let byte = current, byte != TOMLByte.apostrophe, byte != TOMLByte.lineFeed { offset += 1 }
        let name = text(start..<offset)
        if current == TOMLByte.apostrophe { offset += 1 }
        return name
    }

    /// Reads `"…"` and returns its text with escapes decoded (the line's end ends an unterminated one).
    private mutating func scanBasicKey() -> String {
        offset += 1
        let start = offset
        while let byte = current, byte != TOMLByte.quote, byte != TOMLByte.lineFeed {
            if byte == TOMLByte.backslash {
                offset = start
                return scanEscapedBasicKey()
            }
            offset += 1
        }
        let name = text(start..<offset)
        if current == TOMLByte.quote { offset += 1 }
        return name
    }

    /// The slow path of `scanBasicKey` for a key with escapes, from just after its opening quote.
    private mutating func scanEscapedBasicKey() -> String {
        var decoded: [UInt8] = []
        while let byte = current, byte != TOMLByte.quote, byte != TOMLByte.lineFeed {
            offset += 1
            if byte == TOMLByte.backslash {
                decodeEscape(into: &decoded)
            } else {
                decoded.append(byte)
            }
        }
        if current == TOMLByte.quote { offset += 1 }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Decodes the escape after a backslash (`\n`, `\"`, `\u00E9`, …) into `decoded`; an invalid escape adds nothing.
    private mutating func decodeEscape(into decoded: inout [UInt8]) {
        guard let byte = current else { return }
        offset += 1
        switch byte {
        case TOMLByte.lowerB: decoded.append(0x08)
        case TOMLByte.lowerT: decoded.append(TOMLByte.tab)
        case TOMLByte.lowerN: decoded.append(TOMLByte.lineFeed)
        case TOMLByte.lowerF: decoded.append(0x0C)
        case TOMLByte.lowerR: decoded.append(TOMLByte.carriageReturn)
        case TOMLByte.lowerE: decoded.append(0x1B)
        case TOMLByte.quote, TOMLByte.backslash: decoded.append(byte)
        case TOMLByte.lowerX, TOMLByte.lowerU, TOMLByte.upperU:
            let digits = byte == TOMLByte.lowerX ? 2 : byte == TOMLByte.lowerU ? 4 : 8
            guard let value = scanHexadecimal(digits: digits), let scalar = Unicode.Scalar(value) else { return }
            UTF8.encode(scalar) { decoded.append($0) }
        default: return
        }
    }

    /// Reads exactly `digits` hexadecimal digits, or returns nil (consuming the digits it read) when fewer follow.
    private mutating func scanHexadecimal(digits: Int) -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = current else { return nil }
            let digit: UInt8
            switch byte {
            case TOMLByte.digit0...TOMLByte.digit9: digit = byte - TOMLByte.digit0
            case TOMLByte.lowerA...TOMLByte.lowerF: digit = byte - TOMLByte.lowerA + 10
            case TOMLByte.upperA...TOMLByte.upperF: digit = byte - TOMLByte.upperA + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// The bytes in `range`, as text.
    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    // MARK: Values

    /// Skips a string of any of the four kinds, starting at its opening quote or apostrophe. A single-line string
    /// that is not closed ends before the line's end; a multi-line one at the end of the text.
    mutating func skipString() {
        guard let delimiter = current else { return }
        let escapes = delimiter == TOMLByte.quote
        if quoteRun(of: delimiter) >= 3 {
            offset += 3
            skipMultiLineStringBody(delimiter: delimiter, escapes: escapes)
            return
        }
        offset += 1
        while let byte = current, byte != TOMLByte.lineFeed {
            offset += 1
            if byte == delimiter { return }
            if escapes && byte == TOMLByte.backslash && current != TOMLByte.lineFeed { advance() }
        }
    }

    /// Skips a multi-line string's text and its closing delimiter: the first run of three or more delimiters that no
    /// backslash escapes (a run of four or five keeps its first one or two as text).
    private mutating func skipMultiLineStringBody(delimiter: UInt8, escapes: Bool) {
        while let byte = current {
            if byte == delimiter {
                let run = quoteRun(of: delimiter)
                offset += run
                if run >= 3 { return }
            } else if escapes && byte == TOMLByte.backslash {
                offset += 1
                advance()
            } else {
                offset += 1
            }
        }
    }

    /// How many `delimiter` bytes follow in a row from here.
    private func quoteRun(of delimiter: UInt8) -> Int {
        var end = offset
        while end < bytes.count && bytes[end] == delimiter { end += 1 }
        return end - offset
    }

    /// Skips a value that is neither a string, an array nor an inline table (a number, a date or time, a boolean,
    /// or text that is not TOML): at least one byte, then up to a comma, a closing bracket or brace, a comment or the
    /// line's end. Dates may hold a space, so spaces do not end it.
    mutating func skipScalarValue() {
        advance()
        while let byte = current {
            switch byte {
            case TOMLByte.comma, TOMLByte.closeBracket, TOMLByte.closeBrace, TOMLByte.hash, TOMLByte.lineFeed,
                TOMLByte.carriageReturn:
                return
            default: offset += 1
            }
        }
    }
}

/// The ASCII bytes TOML's syntax is made of.
enum TOMLByte {
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let hash = UInt8(ascii: "#")
    static let apostrophe = UInt8(ascii: "'")
    static let comma = UInt8(ascii: ",")
    static let hyphen = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let digit0 = UInt8(ascii: "0")
    static let digit9 = UInt8(ascii: "9")
    static let equals = UInt8(ascii: "=")
    static let upperA = UInt8(ascii: "A")
    static let upperF = UInt8(ascii: "F")
    static let upperU = UInt8(ascii: "U")
    static let upperZ = UInt8(ascii: "Z")
    static let openBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let closeBracket = UInt8(ascii: "]")
    static let underscore = UInt8(ascii: "_")
    static let lowerA = UInt8(ascii: "a")
    static let lowerB = UInt8(ascii: "b")
    static let lowerE = UInt8(ascii: "e")
    static let lowerF = UInt8(ascii: "f")
    static let lowerN = UInt8(ascii: "n")
    static let lowerR = UInt8(ascii: "r")
    static let lowerT = UInt8(ascii: "t")
    static let lowerU = UInt8(ascii: "u")
    static let lowerX = UInt8(ascii: "x")
    static let lowerZ = UInt8(ascii: "z")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
}
