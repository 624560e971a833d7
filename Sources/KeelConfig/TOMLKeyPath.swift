/// One step into a TOML document: a key of a table, or an element of an array (arrays of tables included).
public enum TOMLKeyComponent: Hashable, Sendable, CustomStringConvertible {
    /// The value under this key of a table.
    case key(String)
    /// The element at this 0-based index of an array.
    case index(Int)

    /// The key as TOML spells it (bare when it can be, else a basic string), or `[n]` for an index.
    public var description: String {
        switch self {
        case .key(let key): TOMLKeySpelling.spell(key)
        case .index(let index): "[\(index)]"
        }
    }
}

/// The steps from a document's root table to one of its values, e.g. `[.key("agents"), .key("web")]`.
public typealias TOMLKeyPath = [TOMLKeyComponent]

/// How a user would write `path` in a message: `agents.web.restart.policy`, `agents.web.command[2]`,
/// `packages."my.pkg"`; keys that are not bare keys are quoted. The root path renders as the empty string.
public func renderKeyPath(_ path: TOMLKeyPath) -> String {
    var rendered = ""
    for component in path {
        switch component {
        case .key(let key):
            if !rendered.isEmpty { rendered += "." }
            rendered += TOMLKeySpelling.spell(key)
        case .index(let index):
            rendered += "[\(index)]"
        }
    }
    return rendered
}

/// Spells one key the way a TOML file could write it.
enum TOMLKeySpelling {
    /// The key itself when it is a bare key (`A-Za-z0-9_-`, not empty), else a basic string with escapes.
    static func spell(_ key: String) -> String {
        isBare(key) ? key : quoted(key)
    }

    /// `text` as a TOML basic string, with escapes.
    static func quoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\u{08}": quoted += "\\b"
            case "\t": quoted += "\\t"
            case "\n": quoted += "\\n"
            case "\u{0C}": quoted += "\\f"
            case "\r": quoted += "\\r"
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16, uppercase: true)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// Whether `key` can be written without quotes.
    static func isBare(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy(TOMLScanner.isBareKeyByte)
    }
}
