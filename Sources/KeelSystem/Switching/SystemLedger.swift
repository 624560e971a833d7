import Glibc
import KeelLedger

/// Appends the system's changes (switch, rollback, deleted generations) to the audit ledger in
/// the state root, as the user running keel.
public struct SystemLedger {
    /// A value in an entry's details.
    public enum Value: Sendable {
        /// A string.
        case string(String)
        /// An integer.
        case integer(Int)
        /// A list of integers.
        case integers([Int])
    }

    /// The ledger's directory.
    public let directory: LedgerDirectory

    /// The ledger under `root` (ROOT/ledger).
    public init(root: String) { directory = LedgerDirectory(root: root) }

    /// Appends one entry and makes it durable before returning.
    ///
    /// - Parameters:
    ///   - kind: such as `system.switch`.
    ///   - subject: what it is about, such as `generation-4`.
    ///   - details: the members of the entry's details object.
    public func record(_ kind: String, subject: String, details: [String: Value]) throws {
        let writer = try LedgerWriter(directory: directory)
        _ = try writer.append([
            LedgerDraft(actor: Self.actor, kind: kind, subject: subject, details: Self.canonical(details))
        ])
        try writer.close()
    }

    /// The details' canonical text (keys sorted, no white space, `/` unescaped), written
    /// directly: going through `JSONSerialization` costs a switch more than the rest of it.
    static func canonical(_ details: [String: Value]) -> String {
        let members = details.keys.sorted().map { key -> String in
            let value: String
            switch details[key] {
            case .string(let text)?: value = quoted(text)
            case .integer(let number)?: value = String(number)
            case .integers(let numbers)?: value = "[" + numbers.map(String.init).joined(separator: ",") + "]"
            case nil: value = "null"
            }
            return quoted(key) + ":" + value
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Who is acting: `user:NAME(UID)`.
    public static var actor: String {
        let uid = getuid()
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid:\(uid)" }
        return "user:\(String(cString: name))(\(uid))"
    }
}
