import Foundation

/// The details object of an entry: any JSON object, stored in one canonical text (keys
/// sorted, no insignificant white space, `/` not escaped), which is the text that is hashed.
public enum LedgerDetails {
    /// The canonical text of a JSON object given as text.
    ///
    /// - Throws: `LedgerDetailsError` when the text is not JSON or not an object.
    public static func canonical(_ text: String) throws(LedgerDetailsError) -> String {
        guard let data = text.data(using: .utf8),
            let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { throw .notJSON }
        return try canonical(value)
    }

    /// The canonical text of a JSON object already parsed by `JSONSerialization`.
    public static func canonical(_ value: Any) throws(LedgerDetailsError) -> String {
        guard value is [String: Any] else { throw .notAnObject }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else { throw .notJSON }
        return text
    }
}

/// Why details were refused.
public enum LedgerDetailsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not JSON.
    case notJSON
    /// The JSON is not an object.
    case notAnObject

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .notJSON: "details are not valid JSON"
        case .notAnObject: "details must be a JSON object"
        }
    }
}
