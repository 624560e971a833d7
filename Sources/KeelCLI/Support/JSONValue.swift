/// A JSON value with object keys kept in the order given, rendered deterministically.
enum JSONValue {
    case string(String)
    case number(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// JSON text that is already valid and rendered (inserted as it is).
    case raw(String)

    /// Renders with two-space indentation (as nix prints JSON), or compactly.
    func rendered(pretty: Bool = true) -> String {
        var out = ""
        render(into: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func render(into out: inout String, indent: Int?) {
        switch self {
        case .string(let text): Self.quote(text, into: &out)
        case .number(let value): out += String(value)
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .raw(let text): out += text
        case .array(let items):
            renderContainer(items.map { (nil, $0) }, open: "[", close: "]", into: &out, indent: indent)
        case .object(let members):
            renderContainer(members.map { ($0.0, $0.1) }, open: "{", close: "}", into: &out, indent: indent)
        }
    }

    private func renderContainer(
        _ items: [(String?, JSONValue)], open: String, close: String, into out: inout String, indent: Int?
    ) {
        out += open
        guard !items.isEmpty else {
            out += close
            return
        }
        for (index, (key, value)) in items.enumerated() {
            if index > 0 { out += "," }
            if let indent { out += "\n" + String(repeating: " ", count: indent + 2) }
            if let key {
                Self.quote(key, into: &out)
                out += indent == nil ? ":" : ": "
            }
            value.render(into: &out, indent: indent.map { $0 + 2 })
        }
        if let indent { out += "\n" + String(repeating: " ", count: indent) }
        out += close
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
