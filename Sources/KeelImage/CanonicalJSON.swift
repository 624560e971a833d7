/// A JSON value rendered canonically: object keys sorted by their UTF-8 bytes, no insignificant
/// whitespace, integers only (no floats), UTF-8 output; escaping exactly as Python's
/// `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` does (`\"`, `\\`, `\n`,
/// `\r`, `\t`, `\b`, `\f`, other controls below U+0020 as `\u00xx` in lowercase hex, `/` and
/// everything else verbatim).
///
/// Image digests cover these exact bytes, so the same value always renders the same way.
public indirect enum CanonicalJSON: Sendable, Equatable {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array, in its order.
    case array([CanonicalJSON])
    /// An object; its keys are rendered sorted by their UTF-8 bytes.
    case object([String: CanonicalJSON])

    /// The canonical UTF-8 rendering.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        render(into: &output)
        return output
    }

    /// Appends the canonical rendering to `output`.
    public func render(into output: inout [UInt8]) {
        switch self {
        case .string(let text): Self.renderString(text, into: &output)
        case .integer(let value): output.append(contentsOf: String(value).utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: output.append(contentsOf: "null".utf8)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.render(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let sorted = members.map { (key: Array($0.key.utf8), value: $0.value) }
                .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.renderString(bytes: member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                member.value.render(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func renderString(_ text: String, into output: inout [UInt8]) {
        renderString(bytes: Array(text.utf8), into: &output)
    }

    private static func renderString(bytes: [UInt8], into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0a: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0c: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0f)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
