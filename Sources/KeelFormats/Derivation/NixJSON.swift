/// A JSON value as Nix's JSON library (nlohmann::json) holds it, so that what Keel writes for
/// a builder (`.attrs.json`) is byte for byte what Nix writes.
///
/// Integers keep their kind (negative ones are signed, others unsigned, as the library parses
/// them); objects keep one value per key (the last one given) and are written with keys in byte
/// order. `serialized` is the library's compact `dump()`: no spaces, strings with `\"`, `\\`,
/// `\b`, `\f`, `\n`, `\r`, `\t` and `\u00xx` for other control characters, everything else
/// raw; doubles in the shortest form that reads back, formatted as the library formats them.
public indirect enum NixJSON: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A negative integer.
    case integer(Int64)
    /// A non-negative integer.
    case unsigned(UInt64)
    /// A number with a fraction or an exponent, or too large for 64 bits.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([NixJSON])
    /// An object.
    case object([String: NixJSON])

    /// The compact text, as nlohmann::json's `dump()` writes it.
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    /// The object's keys in the order they are written (byte order).
    public static func sortedKeys(_ object: [String: NixJSON]) -> [String] {
        object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .integer(let value): out += Array(String(value).utf8)
        case .unsigned(let value): out += Array(String(value).utf8)
        case .double(let value): out += Array(Self.format(value).utf8)
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in Self.sortedKeys(members).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]?.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ string: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x0a: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0c: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0d: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0..<0x20:
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A double as nlohmann::json writes it: `null` when not finite; else the shortest digits
    /// that read back, written plainly when the decimal point falls between 4 places left of
    /// the digits and 15 places from their start (with `.0` added to whole numbers), else as
    /// `d.ddde±XX`.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let sign = value.sign == .minus ? "-" : ""
        guard value != 0 else { return sign + "0.0" }
        let (digits, exponent) = shortestDigits(abs(value))
        let length = digits.count
        let point = length + exponent
        if length <= point && point <= 15 {
            return sign + digits + String(repeating: "0", count: point - length) + ".0"
        }
        if 0 < point && point <= 15 {
            return sign + digits.prefix(point) + "." + digits.dropFirst(point)
        }
        if -4 < point && point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + digits
        }
        let mantissa = length == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
        let power = point - 1
        let magnitude = abs(power)
        return sign + mantissa + "e" + (power < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
    }

    /// The shortest decimal digits of a positive finite `value` that read back as it, with the
    /// power of ten they are multiplied by (`1.5` gives `("15", -1)`).
    private static func shortestDigits(_ value: Double) -> (digits: String, exponent: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        var exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        var digits = ""
        var seenPoint = false
        for character in parts[0] {
            if character == "." {
                seenPoint = true
                continue
            }
            digits.append(character)
            if seenPoint { exponent -= 1 }
        }
        while digits.count > 1, digits.hasSuffix("0") {
            digits.removeLast()
            exponent += 1
        }
        while digits.count > 1, digits.hasPrefix("0") { digits.removeFirst() }
        return (digits, exponent)
    }
}
