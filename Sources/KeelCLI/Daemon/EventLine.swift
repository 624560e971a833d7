import Foundation
import KeelAPI

/// One event as `keel events` prints it: sequence, UTC time, kind, subject, then its details
/// sorted by key.
enum EventLine {
    /// The line for `event` (without a newline).
    static func render(_ event: DaemonEvent) -> String {
        let time = timestamp(event.atMs)
        let details = event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\(quoted($0.value))" }
        return (["#\(event.sequence)", time, event.kind, event.subject] + details).joined(separator: " ")
    }

    /// `atMs` as UTC ISO 8601 with milliseconds: `2023-11-14T22:13:20.001Z`.
    static func timestamp(_ atMs: Int64) -> String {
        let seconds = atMs >= 0 ? atMs / 1000 : (atMs - 999) / 1000
        let milliseconds = Int(atMs - seconds * 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        let fraction = String(milliseconds + 1000).dropFirst()
        return String(whole.dropLast()) + "." + fraction + "Z"
    }

    /// A value as it is, or in double quotes when it is empty or holds spaces, quotes or
    /// control characters.
    private static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0.value != 0x7f }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
