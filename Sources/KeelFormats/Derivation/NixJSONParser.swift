/// Parses JSON text (RFC 8259) into a `NixJSON`, reading numbers as nlohmann::json does:
/// an integer without fraction or exponent is signed when negative and unsigned otherwise, and
/// a double when it does not fit 64 bits.
///
/// Refused, naming the byte offset: anything but one value surrounded by whitespace, invalid
/// UTF-8, raw control characters or unknown escapes in strings, unpaired surrogates, numbers
/// outside the grammar or out of the range of a double, and nesting deeper than 512 levels.
public struct NixJSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    /// How deeply arrays and objects may nest.
    public static let maxDepth = 512

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses `bytes`.
    public static func parse(_ bytes: [UInt8]) throws(NixJSONError) -> NixJSON {
        var parser = NixJSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.fail("unexpected text after the value") }
        return value
    }

    private func fail(_ message: String) -> NixJSONError { NixJSONError(offset: position, message: message) }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 { position += 1 }
    }

    private mutating func literal(_ word: String, _ value: NixJSON) throws(NixJSONError) -> NixJSON {
        let expected = Array(word.utf8)
        guard bytes[position...].starts(with: expected) else { throw fail("invalid literal") }
        position += expected.count
        return value
    }

    private mutating func value() throws(NixJSONError) -> NixJSON {
        guard let byte = current else { throw fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character '\(Unicode.Scalar(byte))'")
        }
    }

    private mutating func enter() throws(NixJSONError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        position += 1
        skipWhitespace()
    }

    private mutating func object() throws(NixJSONError) -> NixJSON {
        try enter()
        defer { depth -= 1 }
        var members: [String: NixJSON] = [:]
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
            position += 1
            skipWhitespace()
            members[key] = try value()
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws(NixJSONError) -> NixJSON {
        try enter()
        defer { depth -= 1 }
        var items: [NixJSON] = []
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return .array(items)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func string() throws(NixJSONError) -> String {
        position += 1
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw fail("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try escape(into: &out)
            case 0..<0x20: throw fail("control character in string")
            default:
                out.append(byte)
                position += 1
            }
        }
    }

    private mutating func escape(into out: inout [UInt8]) throws(NixJSONError) {
        guard let byte = current else { throw fail("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xd800..<0xdc00).contains(scalar) {
                guard bytes[position...].starts(with: Array("\\u".utf8)) else { throw fail("unpaired surrogate") }
                position += 2
                let low = try hexQuad()
                guard (0xdc00..<0xe000).contains(low) else { throw fail("unpaired surrogate") }
                scalar = 0x10000 + (scalar - 0xd800) << 10 + (low - 0xdc00)
            } else if (0xdc00..<0xe000).contains(scalar) {
                throw fail("unpaired surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
            out += Array(String(Character(unicode)).utf8)
        default: throw fail("invalid escape '\\\(Unicode.Scalar(byte))'")
        }
    }

    private mutating func hexQuad() throws(NixJSONError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("unterminated \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }

    private mutating func digits() -> Int {
        let start = position
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        return position - start
    }

    private mutating func number() throws(NixJSONError) -> NixJSON {
        let start = position
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw fail("invalid number")
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw fail("invalid number") }
            isInteger = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw fail("invalid number") }
            isInteger = false
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger {
            if negative, let value = Int64(text) { return .integer(value) }
            if !negative, let value = UInt64(text) { return .unsigned(value) }
        }
        guard let value = Double(text), value.isFinite else { throw fail("number out of range '\(text)'") }
        return .double(value)
    }
}

/// Why JSON text could not be parsed.
public struct NixJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The byte offset of the problem.
    public let offset: Int
    /// What is wrong.
    public let message: String

    /// One line: what is wrong and where.
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
