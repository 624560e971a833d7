/// Parses the ATerm form of a derivation strictly: only text that `ATermPrinter` would print
/// back byte for byte is accepted, with one exception found in the wild and parsed by Nix 2.8:
/// input derivations in any order (the printer sorts them).
///
/// Rejected, naming the byte offset: a header other than `Derive(`, missing punctuation,
/// unterminated strings, escapes other than `\"`, `\\`, `\n`, `\r`, `\t`, raw LF/CR/TAB inside
/// escaped strings, `"` or `\` in unescaped fields, outputs, output names, input sources or
/// environment keys that are not strictly sorted (duplicates included), input derivations named
/// twice, and trailing bytes. What the parsed derivation means is checked by
/// `Derivation.validate()`, which `Derivation(parsing:)` runs.
public struct ATermParser {
    private let bytes: [UInt8]
    private var position = 0

    /// The largest `.drv` accepted (64 MiB).
    public static let maxSize = 64 << 20

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses `.drv` bytes.
    public static func parse(_ bytes: [UInt8]) throws(DerivationError) -> Derivation {
        guard bytes.count <= maxSize else {
            throw .syntax(offset: 0, message: "derivation larger than \(maxSize) bytes")
        }
        var parser = ATermParser(bytes)
        return try parser.derivation()
    }

    private func fail(_ message: String, at offset: Int? = nil) -> DerivationError {
        .syntax(offset: offset ?? position, message: message)
    }

    private mutating func expect(_ text: String) throws(DerivationError) {
        let expected = Array(text.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected
        else {
            if position >= bytes.count { throw fail("unexpected end, expected '\(text)'") }
            throw fail("expected '\(text)'")
        }
        position += expected.count
    }

    private mutating func peek(_ character: Character) -> Bool {
        position < bytes.count && bytes[position] == character.asciiValue!
    }

    /// A list: `[` items separated by `,` `]`.
    private mutating func list<T>(_ item: (inout ATermParser) throws(DerivationError) -> T) throws(DerivationError)
        -> [T]
    {
        try expect("[")
        var items: [T] = []
        if peek("]") {
            position += 1
            return items
        }
        while true {
            items.append(try item(&self))
            if peek(",") {
                position += 1
                continue
            }
            try expect("]")
            return items
        }
    }

    /// A quoted string with escapes decoded.
    private mutating func escaped() throws(DerivationError) -> [UInt8] {
        try expect("\"")
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return out
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { throw fail("unterminated string") }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                default: throw fail("invalid escape '\\\(Unicode.Scalar(bytes[position + 1]))'")
                }
                position += 2
            case 0x0a, 0x0d, 0x09:
                throw fail("unescaped control character in string")
            default:
                out.append(byte)
                position += 1
            }
        }
    }

    /// A quoted string that Nix writes without escaping (names, paths, hashes, platform).
    private mutating func plain() throws(DerivationError) -> String {
        let start = position
        let raw = try escaped()
        guard position - start == raw.count + 2 else {
            throw fail("escape in a field that is never escaped", at: start)
        }
        guard let text = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8", at: start) }
        return text
    }

    private func checkSorted(_ items: [[UInt8]], what: String, at offset: Int) throws(DerivationError) {
        for index in items.indices.dropFirst() where !items[index - 1].lexicographicallyPrecedes(items[index]) {
            let problem = items[index - 1] == items[index] ? "duplicate" : "unsorted"
            throw fail("\(problem) \(what) '\(String(decoding: items[index], as: UTF8.self))'", at: offset)
        }
    }

    private func checkUnique(_ items: [String], what: String, at offset: Int) throws(DerivationError) {
        var seen = Set<String>()
        for item in items where !seen.insert(item).inserted {
            throw fail("duplicate \(what) '\(item)'", at: offset)
        }
    }

    private mutating func derivation() throws(DerivationError) -> Derivation {
        try expect("Derive(")
        let outputsOffset = position
        let outputs = try list { (parser: inout ATermParser) throws(DerivationError) in
            try parser.expect("(")
            let name = try parser.plain()
            try parser.expect(",")
            let path = try parser.plain()
            try parser.expect(",")
            let algorithm = try parser.plain()
            try parser.expect(",")
            let hash = try parser.plain()
            try parser.expect(")")
            return (name, Derivation.Output(path: path, hashAlgorithm: algorithm, hash: hash))
        }
        try checkSorted(outputs.map { Array($0.0.utf8) }, what: "output", at: outputsOffset)
        try expect(",")
        let inputsOffset = position
        let inputs = try list { (parser: inout ATermParser) throws(DerivationError) in
            try parser.expect("(")
            let path = try parser.plain()
            try parser.expect(",")
            let namesOffset = parser.position
            let names = try parser.list { (parser: inout ATermParser) throws(DerivationError) in try parser.plain() }
            try parser.checkSorted(names.map { Array($0.utf8) }, what: "output name", at: namesOffset)
            try parser.expect(")")
            return (path, Set(names))
        }
        try checkUnique(inputs.map(\.0), what: "input derivation", at: inputsOffset)
        try expect(",")
        let sourcesOffset = position
        let sources = try list { (parser: inout ATermParser) throws(DerivationError) in try parser.plain() }
        try checkSorted(sources.map { Array($0.utf8) }, what: "input source", at: sourcesOffset)
        try expect(",")
        let platform = try plain()
        try expect(",")
        let builder = try escaped()
        try expect(",")
        let arguments = try list { (parser: inout ATermParser) throws(DerivationError) in try parser.escaped() }
        try expect(",")
        let environmentOffset = position
        let environment = try list { (parser: inout ATermParser) throws(DerivationError) in
            try parser.expect("(")
            let key = try parser.escaped()
            try parser.expect(",")
            let value = try parser.escaped()
            try parser.expect(")")
            return (key, value)
        }
        try checkSorted(environment.map(\.0), what: "environment variable", at: environmentOffset)
        try expect(")")
        guard position == bytes.count else { throw fail("trailing bytes after the derivation") }
        return Derivation(
            outputs: Dictionary(uniqueKeysWithValues: outputs),
            inputDerivations: Dictionary(uniqueKeysWithValues: inputs),
            inputSources: Set(sources),
            platform: platform,
            builder: ByteString(builder),
            arguments: arguments.map(ByteString.init),
            environment: Dictionary(uniqueKeysWithValues: environment.map { (ByteString($0.0), ByteString($0.1)) })
        )
    }
}
