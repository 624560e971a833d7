/// A duration written as a string in keel.toml: a number and a unit, optionally several
/// ("250ms", "30s", "5m", "1h", "1h30m", "1.5s", "30d"). Held as whole milliseconds.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The duration in milliseconds.
    public let milliseconds: Int64

    /// The longest duration accepted: 10 years, far past any timeout and safe from overflow.
    public static let maximum = ConfigDuration(milliseconds: 10 * 366 * 86_400_000)

    /// The units, longest spelling first so "ms" is not read as "m" followed by "s".
    static let units: [(suffix: String, milliseconds: Double)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// A duration of `milliseconds`.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Parses `text`; the error says what is wrong and how to write it.
    public init(parsing text: String) throws(ConfigValueError) {
        let usage = "write a number and a unit: ms, s, m, h, d or w, as in \"250ms\", \"30s\" or \"1h30m\""
        guard !text.isEmpty else { throw ConfigValueError("empty duration; \(usage)") }
        var rest = Substring(text)
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else {
                throw ConfigValueError("invalid duration \"\(text)\"; \(usage)")
            }
            rest = rest.dropFirst(number.count)
            let letters = rest.prefix { $0.isASCII && $0.isLetter }
            guard let unit = Self.units.first(where: { $0.suffix == letters }) else {
                let problem = letters.isEmpty ? "has no unit" : "has unknown unit \"\(letters)\""
                throw ConfigValueError("duration \"\(text)\" \(problem); \(usage)")
            }
            rest = rest.dropFirst(letters.count)
            total += value * unit.milliseconds
        }
        guard total <= Double(Self.maximum.milliseconds) else {
            throw ConfigValueError("duration \"\(text)\" is too long (at most 10 years)")
        }
        milliseconds = Int64(total.rounded())
    }

    /// The shortest spelling that gives the same duration back ("1500ms", "90s", "2h").
    public var description: String {
        for (suffix, size) in Self.units.reversed() where milliseconds % Int64(size) == 0 && milliseconds > 0 {
            return "\(milliseconds / Int64(size))\(suffix)"
        }
        return "\(milliseconds)ms"
    }

    /// The duration as a Swift `Duration`.
    public var duration: Duration { .milliseconds(milliseconds) }

    /// Orders by value.
    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

/// A value in keel.toml that does not say what its key needs.
public struct ConfigValueError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to write it instead.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
